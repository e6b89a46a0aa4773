"""QR codes rendered inline as SVG on our own page: no third party ever sees the secret."""
import qrcode
import qrcode.image.svg


def svg(data: str) -> str:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=4)
    markup = image.to_string(encoding="unicode")
    # Drop the XML declaration so the SVG can sit inside HTML.
    return markup[markup.index("<svg"):]


def group_key(secret: str) -> str:
    """The key in groups of four, for typing by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
