#!/usr/bin/env python3
"""Checks an AgreementLedger export with nothing but Python 3's standard library and `openssl`.

Written from hashing.md and audit.md alone, independently of the service's own code, so that an
auditor can read every step:

    python3 docs/verify_export.py ledger.ndjson --public-key key.pem
    python3 docs/verify_export.py ledger.csv    --public-key key.pem
    python3 docs/verify_export.py --self-test        # the worked example of hashing.md, section 4
    python3 docs/verify_export.py --canonicalize < values.ndjson   # JCS of each JSON line, one a line

For every event it recomputes the hash (hashing.md), checks that each agreement's versions run
1, 2, 3, ... and that `previousHash` is the previous event's hash; it recomputes the ledger digest
(audit.md, section 1) over every exported event and compares it with the closing digest record;
with --public-key it checks the record's keyId and its ECDSA P-256 signature (audit.md, section 2)
by calling `openssl dgst -sha256 -verify`. Prints VERIFIED and exits 0, or NOT VERIFIED with each
failure and exits 1; exits 2 on bad usage.
"""

import base64
import csv
import decimal
import hashlib
import json
import os
import subprocess
import sys
import tempfile

ZEROS = "0" * 64
CSV_COLUMNS = ["record", "position", "agreementId", "version", "type", "occurredOn", "recordedAt",
               "recordedBy", "data", "hash", "previousHash", "digest", "signature", "keyId"]


# ---------------------------------------------------------------- RFC 8785 (JCS), hashing.md section 2

def jcs_number(value):
    """A number as ECMAScript's Number.prototype.toString writes the nearest double."""
    x = float(value)
    if x != x or x in (float("inf"), float("-inf")):
        raise ValueError("JSON has no NaN or infinity")
    if x == 0:
        return "0"  # also -0
    sign = "-" if x < 0 else ""
    # repr gives the shortest digits that round-trip, as ECMAScript requires.
    _, digits, exponent = decimal.Decimal(repr(abs(x))).normalize().as_tuple()
    digits = "".join(map(str, digits))
    k = len(digits)
    n = exponent + k  # the value is 0.<digits> x 10^n
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        text = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        mantissa = digits if k == 1 else digits[0] + "." + digits[1:]
        text = mantissa + "e" + ("+" if e >= 0 else "-") + str(abs(e))
    return sign + text


def jcs(value):
    """The canonical JSON text of a value parsed by json.loads."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        # Python escapes exactly as JCS does with ensure_ascii=False: \" \\ \b \t \n \f \r, other
        # controls as \u00xx in lowercase hex, everything else (including "/") as itself.
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (int, float, decimal.Decimal)):
        return jcs_number(value)
    if isinstance(value, list):
        return "[" + ",".join(jcs(item) for item in value) + "]"
    if isinstance(value, dict):
        # Member names sorted as arrays of UTF-16 code units: big-endian UTF-16 bytes sort the same.
        names = sorted(value, key=lambda name: name.encode("utf-16-be"))
        return "{" + ",".join(json.dumps(name, ensure_ascii=False) + ":" + jcs(value[name]) for name in names) + "}"
    raise TypeError(f"not a JSON value: {value!r}")


def parse_json(text):
    # Decimals stay exact until jcs_number turns them into the nearest double.
    return json.loads(text, parse_float=decimal.Decimal)


# ---------------------------------------------------------------- hashing.md section 3, audit.md sections 1-2

def event_hash(previous_hash, event_type, agreement_id, version, occurred_on, recorded_at, recorded_by, data):
    envelope = {"type": event_type, "agreementId": agreement_id, "version": version,
                "occurredOn": occurred_on, "recordedAt": recorded_at, "recordedBy": recorded_by, "data": data}
    return hashlib.sha256((previous_hash + jcs(envelope)).encode("utf-8")).hexdigest()


def digest_step(digest, event_hash_hex):
    return hashlib.sha256((digest + event_hash_hex).encode("utf-8")).hexdigest()


def der_integer(raw):
    raw = raw.lstrip(b"\x00") or b"\x00"
    if raw[0] & 0x80:
        raw = b"\x00" + raw
    return b"\x02" + bytes([len(raw)]) + raw


def p1363_to_der(signature):
    """ECDSA P-256 r || s (64 bytes) as the DER SEQUENCE openssl reads."""
    if len(signature) != 64:
        raise ValueError(f"an ES256 signature is 64 bytes, not {len(signature)}")
    body = der_integer(signature[:32]) + der_integer(signature[32:])
    return b"\x30" + bytes([len(body)]) + body


def pem_der(pem_text):
    lines = [line.strip() for line in pem_text.strip().splitlines()]
    return base64.b64decode("".join(line for line in lines if line and not line.startswith("-----")))


def signature_verifies(pem_path, position, digest, signature_b64):
    message = f"agreement-ledger/digest/v1\n{position}\n{digest}".encode("utf-8")
    with tempfile.TemporaryDirectory() as folder:
        message_path = os.path.join(folder, "message")
        signature_path = os.path.join(folder, "signature.der")
        with open(message_path, "wb") as f:
            f.write(message)
        with open(signature_path, "wb") as f:
            f.write(p1363_to_der(base64.b64decode(signature_b64)))
        result = subprocess.run(["openssl", "dgst", "-sha256", "-verify", pem_path, "-signature", signature_path, message_path],
                                capture_output=True, text=True)
        return result.returncode == 0


# ---------------------------------------------------------------- reading an export (audit.md section 4)

def ndjson_records(path):
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if line.strip():
                yield number, parse_json(line)


def csv_records(path):
    with open(path, encoding="utf-8", newline="") as f:
        rows = csv.reader(f)
        header = next(rows, None)
        if header != CSV_COLUMNS:
            raise ValueError(f"the CSV header is {header}, not {CSV_COLUMNS}")
        for number, row in enumerate(rows, 2):
            record = dict(zip(CSV_COLUMNS, row))
            record["position"] = int(record["position"])
            if record["record"] == "event":
                record["version"] = int(record["version"])
                record["data"] = parse_json(record["data"])
                record["occurredOn"] = record["occurredOn"] or None
            yield number, record


def verify(path, pem_path):
    failures = []
    tips = {}  # agreementId -> (version, hash)
    digest, events, last_position, signed = ZEROS, 0, 0, None
    records = csv_records(path) if path.lower().endswith(".csv") else ndjson_records(path)
    for number, record in records:
        if signed is not None:
            failures.append(f"record {number}: records follow the digest record")
            break
        if record["record"] == "digest":
            signed = record
            continue
        events += 1
        agreement, version, position = record["agreementId"], record["version"], record["position"]
        if position <= last_position:
            failures.append(f"position {position}: not after position {last_position}")
        last_position = position
        tip_version, tip_hash = tips.get(agreement, (0, ZEROS))
        if version != tip_version + 1:
            failures.append(f"{agreement} version {version}: expected version {tip_version + 1}")
        if record["previousHash"] != tip_hash:
            failures.append(f"{agreement} version {version}: previousHash is not the hash of the event before it")
        # occurredOn is hashed from the event's data; a retraction has none (hashing.md, sections 1 and 5).
        occurred_on = None if record["type"] == "event_retracted" else record["data"].get("occurredOn")
        if occurred_on != record["occurredOn"]:
            failures.append(f"{agreement} version {version}: occurredOn {record['occurredOn']} differs from the data's {occurred_on}")
        recomputed = event_hash(record["previousHash"], record["type"], agreement, version, occurred_on,
                                record["recordedAt"], record["recordedBy"], record["data"])
        if recomputed != record["hash"]:
            failures.append(f"{agreement} version {version}: the hash does not match the event's fields")
        tips[agreement] = (version, record["hash"])
        digest = digest_step(digest, record["hash"])

    if signed is None:
        failures.append("the export does not end with a digest record: it was cut short")
    else:
        if signed["digest"] != digest:
            failures.append(f"the digest over the exported events is {digest}, not the signed {signed['digest']}")
        if last_position > signed["position"]:
            failures.append(f"events up to position {last_position} lie beyond the digest's position {signed['position']}")
        if pem_path is None:
            failures.append("no public key given: the digest's signature was not checked")
        else:
            with open(pem_path, encoding="ascii") as f:
                key_id = hashlib.sha256(pem_der(f.read())).hexdigest()[:16]
            if key_id != signed["keyId"]:
                failures.append(f"the digest was signed with key {signed['keyId']}, not with the key given ({key_id})")
            elif not signature_verifies(pem_path, signed["position"], signed["digest"], signed["signature"]):
                failures.append("the digest's signature does not verify")

    position = signed["position"] if signed else "?"
    print(f"{'VERIFIED' if not failures else 'NOT VERIFIED'}: {events} events of {len(tips)} agreements, digest at position {position}")
    for failure in failures:
        print("  " + failure)
    return 0 if not failures else 1


def self_test():
    """hashing.md, section 4."""
    data = {"party": "JP", "place": "Tōkyō \"HQ\"", "occurredOn": "2023-12-14"}
    got = event_hash(ZEROS, "party_signed", "gcap-treaty", 2, "2023-12-14", "2024-06-23T10:15:30.123456Z", "alice", data)
    want = "5c9e41683784619e8fef62404eaaf31074a0fd8c93fcfba6336dc97f72b5b25d"
    numbers = {"1.50": "1.5", "100": "100", "1e2": "100", "1e21": "1e+21", "1e-7": "1e-7", "0.000001": "0.000001",
               "123456789012.34": "123456789012.34", "-0": "0", "5e-324": "5e-324", "0.1": "0.1"}
    wrong = [f"{text} -> {jcs_number(decimal.Decimal(text))} (want {want_text})"
             for text, want_text in numbers.items()
             if jcs_number(decimal.Decimal(text)) != want_text]
    if got != want or wrong:
        print(f"SELF-TEST FAILED: worked example {got} (want {want}); numbers: {wrong}")
        return 1
    print("SELF-TEST PASSED")
    return 0


def main(args):
    sys.stdout.reconfigure(encoding="utf-8")
    sys.stdin.reconfigure(encoding="utf-8")
    if args == ["--self-test"]:
        return self_test()
    if args == ["--canonicalize"]:
        for line in sys.stdin:
            if line.strip():
                sys.stdout.write(jcs(parse_json(line)) + "\n")
        return 0
    files = [a for a in args if not a.startswith("--")]
    pem = None
    if "--public-key" in args:
        at = args.index("--public-key")
        if at + 1 >= len(args):
            files = []
        else:
            pem = args[at + 1]
            files = [f for f in files if f != pem]
    if len(files) != 1 or not os.path.isfile(files[0]):
        print("usage: verify_export.py EXPORT.ndjson|EXPORT.csv --public-key KEY.pem   (the key from GET /audit/public-key)")
        return 2
    try:
        return verify(files[0], pem)
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        print(f"NOT VERIFIED: the file is not a well-formed export ({type(error).__name__}: {error})")
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
