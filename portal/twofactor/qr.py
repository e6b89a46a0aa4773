"""QR codes rendered inline as SVG on our own page: no third party ever sees the secret."""
import qrcode


def svg(data: str) -> str:
    """The QR code as one compact SVG path: each run of dark modules in a row is one filled rectangle
    (`M<x> <y>h<run>v1h-<run>z`), well under half the bytes of one square per module."""
    qr = qrcode.QRCode(border=4)
    qr.add_data(data)
    qr.make(fit=True)
    matrix = qr.get_matrix()  # includes the quiet zone
    size, parts = len(matrix), []
    for y, row in enumerate(matrix):
        x = 0
        while x < size:
            if not row[x]:
                x += 1
                continue
            start = x
            while x < size and row[x]:
                x += 1
            parts.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
    return (f'<svg width="{size}mm" height="{size}mm" viewBox="0 0 {size} {size}" '
            f'xmlns="http://www.w3.org/2000/svg" shape-rendering="crispEdges">'
            f'<path d="{"".join(parts)}" fill="#000" stroke="none"/></svg>')


def group_key(secret: str) -> str:
    """The key in groups of four, for typing by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
