"""The headline of the benchmark: whole sign-ins on the portal, Flask-Security-Too and the floor, one at a time and
interleaved, each production-hash sign-in paired with a cheapest-hash one (bench/README.md, Method)."""
from argon2 import PasswordHasher

from bench import load, seed

PASSWORD = "bench password, production argon2id"


def signin_people(args) -> int:
    """The last agents of each database: warm-up sign-ins (cheap hash, and for FST's production server production
    hash), then pairs of full- and cheap-hash sign-ins. The three apps keep their people in tables of their own, so
    each signs in the same people."""
    return 4 * args.workers + 2 * args.signins


def whole_signins(databases, signin_apps, fst, args) -> dict:
    """Whole sign-ins on the portal, FST and the floor, one at a time (concurrent argon2id hashes, 64 MiB each,
    fight over memory bandwidth, which would charge the hash's own slowdown to everything else), interleaved: in
    every round each app in turn, the order reversed every other round. Each production-hash sign-in is paired with
    one by a person whose stored hash is argon2id at its cheapest: "everything but the hash" is then measured
    directly, in the same conditions, instead of as the small difference of two large, separately measured numbers
    (a few per cent of noise in either would swing that difference by tens of per cent)."""
    from portal.passwords import PROFILES
    cheap_hash = PasswordHasher(**PROFILES["test"]["password"]).hash(PASSWORD)
    cheap_hash_ms = load.hash_cpu_ms(stored=cheap_hash, password=PASSWORD, rounds=200)
    out, hash_ms = {}, []
    for d in databases:
        if d.users != args.small:
            continue
        apps = signin_apps[id(d)]
        hash_ms.append(load.hash_cpu_ms())
        emails = [f"u{i:07d}@example.com" for i in range(d.agents - signin_people(args) + 1, d.agents + 1)]
        w = 2 * args.workers
        warm_cheap, warm_full, emails = emails[:w], emails[w:2 * w], emails[2 * w:]
        full, cheap = emails[::2], emails[1::2]
        seed.set_password_hash(d, [email_id(e) for e in warm_cheap + cheap], cheap_hash, fst["cheap_hash"])
        for app in apps:  # every worker's first requests: imports, caches, copy-on-write after the fork
            warm = [load.signin_batch(app, warm_cheap, PASSWORD, cheap=True)]
            if app.cheap_server:
                warm.append(load.signin_batch(app, warm_full, PASSWORD))
            failed = [f for b in warm for f in b.failures]
            if failed:
                raise SystemExit(f"{d.kind}: {app.name}: warm-up sign-ins did not sign in: {failed[:3]}")
        totals = {app.name: (load.Batch(), load.Batch()) for app in apps}
        rounds = {app.name: {"full": [], "cheap": []} for app in apps}
        per_round = -(-len(full) // args.rounds)
        for r in range(args.rounds):
            chunk = slice(r * per_round, (r + 1) * per_round)
            if not full[chunk]:
                break
            for app in (apps if r % 2 == 0 else list(reversed(apps))):
                batches = load.signin_pairs(app, full[chunk], cheap[chunk], PASSWORD)
                for total, batch, kind in zip(totals[app.name], batches, ("full", "cheap")):
                    total.add(batch)
                    rounds[app.name][kind].append(1000 * batch.cpu / batch.count)
            print(f"{d.kind}: sign-in round {r + 1}/{args.rounds} done", flush=True)
        hash_ms.append(load.hash_cpu_ms())
        label = f"{d.kind} {d.users:,}"
        out[label] = {}
        for app in apps:
            full_batch, cheap_batch = totals[app.name]
            summary, around = full_batch.summary(), cheap_batch.summary()
            failures = full_batch.failures + cheap_batch.failures
            out[label][app.name] = {
                **summary, "cheap_cpu_ms": around["cpu_ms"], "cheap_p50_ms": around["p50_ms"],
                "cheap_p95_ms": around["p95_ms"], "around_hash_cpu_ms": around["cpu_ms"] - cheap_hash_ms,
                "round_full_cpu_ms": rounds[app.name]["full"], "round_cheap_cpu_ms": rounds[app.name]["cheap"],
                "signins": full_batch.count + cheap_batch.count,
                "signed_in": full_batch.count + cheap_batch.count - len(failures),
                "failed": [list(f) for f in failures[:5]], "void": bool(failures)}
    for apps in out.values():
        for summary in apps.values():
            summary["hash_cpu_ms"] = sum(hash_ms) / len(hash_ms)
            summary["cheapest_hash_cpu_ms"] = cheap_hash_ms
    return out


def email_id(email: str) -> int:
    return int(email[1:8])
