#!/usr/bin/env python3
"""Checks an AgreementLedger export with nothing but Python 3's standard library and `openssl`.

Written from hashing.md and audit.md alone, independently of the service's own code, so that an
auditor can read every step:

    python3 docs/verify_export.py ledger.ndjson --public-key key.pem
    python3 docs/verify_export.py ledger.csv    --public-key key.pem --public-key previous-key.pem
    python3 docs/verify_export.py ledger.ndjson --public-key key.pem --witness-key witness.pem --min-cosignatures 1
    python3 docs/verify_export.py --self-test        # the worked examples of hashing.md (section 4) and audit.md (Merkle tree)
    python3 docs/verify_export.py --canonicalize < values.ndjson   # JCS of each JSON line, one a line

For every event it recomputes the hash (hashing.md), checks that each agreement's versions run
1, 2, 3, ... and that `previousHash` is the previous event's hash; it recomputes the ledger digest
(audit.md, section 1) at the position of every kept-digest record and over every exported event,
and compares them with the kept digests and the closing digest record; it checks that every event's
`leafIndex` is its ordinal (from 0) in position order (an export written before events carried it
has none, and is still read); it checks the keyId and the
ECDSA P-256 signature (audit.md, section 2) of each of those records against the public keys given
(--public-key, one PEM file each, repeatable) by calling `openssl dgst -sha256 -verify`: a keyId
that is not among them fails. It recomputes the Merkle root (RFC 9162, audit.md "Transparency log")
of the exported events' leaves and compares it with the checkpoint record after the digest record;
it checks that checkpoint's signature, each cosignature by a witness key given (--witness-key,
repeatable; a cosignature by another key is not counted), and for a consistency record its
checkpoint, its cosignatures and the consistency proof from the export's tree to it; with
--min-cosignatures N, at least N distinct given witnesses must have cosigned either checkpoint.
Prints VERIFIED and exits 0, or NOT VERIFIED with each failure and exits 1; exits 2 on bad usage.
"""

import base64
import calendar
import csv
import decimal
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import unicodedata

ZEROS = "0" * 64
CSV_COLUMNS = ["record", "position", "agreementId", "version", "type", "occurredOn", "recordedAt",
               "recordedBy", "data", "hash", "previousHash", "digest", "signature", "keyId", "leafIndex"]
# An export written before events carried their leaf index has every column but the last.
CSV_COLUMNS_WITHOUT_LEAF_INDEX = CSV_COLUMNS[:-1]


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
    """A digest's signature (audit.md, section 2)."""
    return es256_verifies(pem_path, f"agreement-ledger/digest/v1\n{position}\n{digest}".encode("utf-8"), signature_b64)


def es256_verifies(pem_path, message, signature_b64):
    """ECDSA P-256 with SHA-256 over message, the signature base64 of r || s; malformed input is False."""
    try:
        signature = p1363_to_der(base64.b64decode(signature_b64, validate=True))
    except (ValueError, TypeError):
        return False
    with tempfile.TemporaryDirectory() as folder:
        message_path = os.path.join(folder, "message")
        signature_path = os.path.join(folder, "signature.der")
        with open(message_path, "wb") as f:
            f.write(message)
        with open(signature_path, "wb") as f:
            f.write(signature)
        result = subprocess.run(["openssl", "dgst", "-sha256", "-verify", pem_path, "-signature", signature_path, message_path],
                                capture_output=True, text=True)
        return result.returncode == 0


# ---------------------------------------------------------------- audit.md "Transparency log" and "Witness"

def leaf_hash(data):
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


class MerkleRoot:
    """RFC 9162's tree grown leaf by leaf, holding only its right edge: at most log2(n) + 1 perfect subtrees."""

    def __init__(self):
        self.size, self.edge = 0, []  # edge: [(height, hash)], largest subtree first

    def append(self, leaf):
        self.edge.append((0, leaf))
        while len(self.edge) >= 2 and self.edge[-1][0] == self.edge[-2][0]:
            (height, right), (_, left) = self.edge.pop(), self.edge.pop()
            self.edge.append((height + 1, node_hash(left, right)))
        self.size += 1

    def root(self):
        if not self.edge:
            return hashlib.sha256(b"").digest()
        root = self.edge[-1][1]
        for _, left in reversed(self.edge[:-1]):
            root = node_hash(left, root)
        return root


def verify_consistency(first, second, first_hash, second_hash, proof):
    """RFC 9162 section 2.1.4.2: the tree of `second` leaves extends the tree of `first`."""
    if first < 0 or first > second or any(len(h) != 32 for h in proof):
        return False
    if first == 0 or first == second:
        return not proof and (first == 0 or first_hash == second_hash)
    if not proof:
        return False
    if first & (first - 1) == 0:
        proof = [first_hash] + proof  # the old tree is a perfect subtree: its root is the proof's first node
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == first_hash and sr == second_hash


HEX_HASH = re.compile(r"[0-9a-f]{64}")


def hex_hash(text):
    """32 bytes from 64 lowercase hex characters, or None."""
    return bytes.fromhex(text) if isinstance(text, str) and HEX_HASH.fullmatch(text) else None


def valid_origin(origin):
    return (isinstance(origin, str) and 0 < len(origin) <= 255 and origin.strip() == origin
            and not any(unicodedata.category(c) == "Cc" for c in origin))


def checkpoint_body(origin, tree_size, root):
    return f"{origin}\n{tree_size}\n{base64.b64encode(root).decode('ascii')}\n".encode("utf-8")


def cosignature_verifies(pem_path, body, timestamp, signature_b64):
    """C2SP tlog-cosignature/v1 over the checkpoint body; timestamp is RFC 3339 UTC to the second."""
    if not isinstance(timestamp, str) or not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", timestamp):
        return False
    try:
        seconds = calendar.timegm(time.strptime(timestamp, "%Y-%m-%dT%H:%M:%SZ"))
    except ValueError:
        return False
    return isinstance(signature_b64, str) and es256_verifies(pem_path, f"cosignature/v1\ntime {seconds}\n".encode("utf-8") + body, signature_b64)


def check_checkpoint(checkpoint, what, log_keys, witness_keys, failures):
    """The signature and the given witnesses' cosignatures of one checkpoint: (its root or None, the witness keyIds that cosigned)."""
    cosigned = set()
    origin, tree_size, root = checkpoint["origin"], checkpoint["treeSize"], hex_hash(checkpoint["rootHash"])
    if not valid_origin(origin) or root is None or tree_size < 0:
        failures.append(f"{what} is malformed (origin, treeSize or rootHash)")
        return None, cosigned
    body = checkpoint_body(origin, tree_size, root)
    if checkpoint["keyId"] not in log_keys:
        failures.append(f"{what} is signed with key {checkpoint['keyId']}, which is not among the --public-key keys given")
    elif not es256_verifies(log_keys[checkpoint["keyId"]], body, checkpoint["signature"]):
        failures.append(f"{what}'s signature does not verify with key {checkpoint['keyId']}")
    for cosignature in checkpoint["cosignatures"]:
        key_id = cosignature.get("keyId")
        if key_id not in witness_keys:
            continue  # a key not given: anyone can add a cosignature
        if not cosignature_verifies(witness_keys[key_id], body, cosignature.get("timestamp"), cosignature.get("signature")):
            failures.append(f"the cosignature of {cosignature.get('witness')} (key {key_id}) on {what} does not verify")
            continue
        cosigned.add(key_id)
    return root, cosigned


def check_checkpoints(checkpoint, consistency, tree, last_position, log_keys, witness_keys, failures):
    """The checkpoint record against the exported events' tree, and the consistency record's checkpoint and proof."""
    what = "the checkpoint record"
    root = tree.root().hex()
    if checkpoint["treeSize"] != tree.size:
        failures.append(f"{what} is of a tree of {checkpoint['treeSize']} leaves, but the export holds {tree.size} events")
    if checkpoint["rootHash"] != root:
        failures.append(f"the Merkle root of the exported events is {root}, not the rootHash {checkpoint['rootHash']} of {what}: "
                        "events were altered, removed, reordered or inserted")
    if checkpoint["position"] != last_position:
        failures.append(f"{what} gives position {checkpoint['position']}, but the last exported event's is {last_position}")
    own_root, cosigned = check_checkpoint(checkpoint, what, log_keys, witness_keys, failures)
    if consistency is None:
        return cosigned
    newer_name = "the consistency record"
    if consistency["origin"] != checkpoint["origin"]:
        failures.append(f"{newer_name} is of the log {consistency['origin']}, not {checkpoint['origin']} of {what}")
    if consistency["from"] != checkpoint["treeSize"] or consistency["to"] != consistency["treeSize"]:
        failures.append(f"{newer_name}'s proof is from {consistency['from']} to {consistency['to']}, "
                        f"not from the {checkpoint['treeSize']} leaves of {what} to its own {consistency['treeSize']}")
    newer_root, newer_cosigned = check_checkpoint(consistency, newer_name, log_keys, witness_keys, failures)
    cosigned |= newer_cosigned
    proof = [hex_hash(h) or b"" for h in consistency["proof"]]
    if own_root is not None and newer_root is not None and not verify_consistency(
            checkpoint["treeSize"], consistency["treeSize"], own_root, newer_root, proof):
        failures.append(f"the consistency proof does not show that the tree of {consistency['treeSize']} leaves of {newer_name} "
                        f"extends the {checkpoint['treeSize']} of {what}")
    return cosigned


# ---------------------------------------------------------------- reading an export (audit.md section 4)

RECORD_KINDS = ("event", "kept-digest", "digest", "checkpoint", "consistency")
CHECKPOINT_KINDS = ("checkpoint", "consistency")


def checkpoint_record(record):
    """A checkpoint or consistency record with the types audit.md gives, else ValueError."""
    def expect(name, kind):
        if not isinstance(record.get(name), kind) or isinstance(record.get(name), bool):
            raise ValueError(f"a {record['record']} record whose {name} is not a {kind.__name__}")
    for name in ("origin", "rootHash", "timestamp", "keyId", "signature"):
        expect(name, str)
    for name in ("treeSize", "position"):
        expect(name, int)
    expect("cosignatures", list)
    if not all(isinstance(c, dict) for c in record["cosignatures"]):
        raise ValueError("a cosignature that is not an object")
    if record["record"] == "consistency":
        expect("from", int)
        expect("to", int)
        expect("proof", list)
    return record


def ndjson_records(path):
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if line.strip():
                record = parse_json(line)
                if record.get("record") not in RECORD_KINDS:
                    raise ValueError(f"line {number}: a record of unknown kind {record.get('record')!r}")
                if record["record"] in CHECKPOINT_KINDS:
                    record = checkpoint_record(record)
                yield number, record


def csv_records(path):
    with open(path, encoding="utf-8", newline="") as f:
        rows = csv.reader(f)
        header = next(rows, None)
        if header not in (CSV_COLUMNS, CSV_COLUMNS_WITHOUT_LEAF_INDEX):
            raise ValueError(f"the CSV header is {header}, not {CSV_COLUMNS}")
        for number, row in enumerate(rows, 2):
            if len(row) != len(header):
                raise ValueError(f"row {number} has {len(row)} fields, not {len(header)}")
            record = dict(zip(header, row))
            if record["record"] not in RECORD_KINDS:
                raise ValueError(f"row {number}: a record of unknown kind {record['record']!r}")
            record["position"] = int(record["position"])
            if record["record"] in CHECKPOINT_KINDS:
                # As the digest rows: rootHash in the digest column, signature and keyId in theirs; the rest in data.
                members = parse_json(record["data"])
                if not isinstance(members, dict):
                    raise ValueError(f"row {number}: a {record['record']} row whose data is not a JSON object")
                members.update(record=record["record"], position=record["position"], rootHash=record["digest"],
                               signature=record["signature"], keyId=record["keyId"])
                yield number, checkpoint_record(members)
                continue
            if record["record"] == "event":
                record["version"] = int(record["version"])
                record["data"] = parse_json(record["data"])
                record["occurredOn"] = record["occurredOn"] or None
                if record.get("leafIndex"):
                    record["leafIndex"] = int(record["leafIndex"])
                else:
                    record.pop("leafIndex", None)
            yield number, record


def read_keys(pem_paths):
    """keyId (audit.md, section 2) -> the PEM file of that key."""
    keys = {}
    for pem_path in pem_paths:
        with open(pem_path, encoding="ascii") as f:
            keys[hashlib.sha256(pem_der(f.read())).hexdigest()[:16]] = pem_path
    return keys


def verify(path, pem_paths, witness_pem_paths=(), min_cosignatures=0):
    failures = []
    keys = read_keys(pem_paths)
    witness_keys = read_keys(witness_pem_paths)
    tree, checkpoint, consistency = MerkleRoot(), None, None
    tips = {}  # agreementId -> (version, hash)
    digest, events, last_position, signed, in_kept = ZEROS, 0, 0, None, False
    with_leaf_index = None  # whether the export's events carry leafIndex (decided by the first one)
    reader = csv_records if path.lower().endswith(".csv") else ndjson_records

    def check_signature(what, record):
        if not keys:
            return
        if record["keyId"] not in keys:
            failures.append(f"{what} was signed with key {record['keyId']}, which is not among the keys given ({', '.join(keys)})")
        elif not signature_verifies(keys[record["keyId"]], record["position"], record["digest"], record["signature"]):
            failures.append(f"the signature of {what} does not verify")

    # The kept digests follow the events, but each is the digest at its own position (audit.md,
    # section 4): a second reader of the same file runs ahead to them, so nothing is held in memory.
    kept_records = (record for _, record in reader(path) if record["record"] == "kept-digest")
    kept = {"next": next(kept_records, None), "checked": 0, "last": -1}

    def check_kept_below(position):
        """Every kept digest below a position, against the digest of the events before it."""
        while kept["next"] is not None and kept["next"]["position"] < position:
            record = kept["next"]
            what = f"the kept digest at position {record['position']}"
            if record["position"] <= kept["last"]:
                failures.append(f"{what}: not after the kept digest at position {kept['last']}")
            if record["digest"] != digest:
                failures.append(f"{what} is {record['digest']}, but the exported events up to it give {digest}")
            check_signature(what, record)
            kept["checked"] += 1
            kept["last"] = max(kept["last"], record["position"])
            kept["next"] = next(kept_records, None)

    for number, record in reader(path):
        if record["record"] == "checkpoint":
            if signed is None or checkpoint is not None:
                failures.append(f"record {number}: a checkpoint record {'before the digest record' if signed is None else 'after the checkpoint record'}")
                break
            checkpoint = record
            continue
        if record["record"] == "consistency":
            if checkpoint is None or consistency is not None:
                failures.append(f"record {number}: a consistency record {'before the checkpoint record' if checkpoint is None else 'after the consistency record'}")
                break
            consistency = record
            continue
        if signed is not None:
            failures.append(f"record {number}: records follow the digest record")
            break
        if record["record"] == "digest":
            signed = record
            continue
        if record["record"] == "kept-digest":
            in_kept = True  # checked by the reader ahead, once the events before it were read
            continue
        if in_kept:
            failures.append(f"record {number}: an event follows the kept digests")
        agreement, version, position = record["agreementId"], record["version"], record["position"]
        check_kept_below(position)
        events += 1
        if position <= last_position:
            failures.append(f"position {position}: not after position {last_position}")
        last_position = position
        if with_leaf_index is None:
            with_leaf_index = "leafIndex" in record
        if with_leaf_index != ("leafIndex" in record):
            failures.append(f"position {position}: leafIndex present on some events and absent on others")
        elif with_leaf_index and record["leafIndex"] != events - 1:
            failures.append(f"position {position}: leafIndex {record['leafIndex']}, but it is event {events - 1} (from 0) in position order")
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
        # The leaf of the hash the file gives (a malformed one was reported above and still changes the root).
        tree.append(leaf_hash(hex_hash(record["hash"]) or str(record["hash"]).encode("utf-8")))

    # The kept digests not yet checked lie at or after the last exported event: each covers all of them.
    check_kept_below(float("inf"))

    if signed is None:
        failures.append("the export does not end with a digest record: it was cut short")
    else:
        if signed["digest"] != digest:
            failures.append(f"the digest over the exported events is {digest}, not the signed {signed['digest']}")
        if last_position > signed["position"]:
            failures.append(f"events up to position {last_position} lie beyond the digest's position {signed['position']}")
        if kept["last"] > signed["position"]:
            failures.append(f"a kept digest at position {kept['last']} lies beyond the digest's position {signed['position']}")
        check_signature("the digest", signed)
    cosigned = set()
    if checkpoint is not None:
        cosigned = check_checkpoints(checkpoint, consistency, tree, last_position, keys, witness_keys, failures)
    if min_cosignatures > 0 and checkpoint is None:
        failures.append("the export has no checkpoint record (written before exports carried one): no cosignature to count, "
                        f"and at least {min_cosignatures} required")
    elif len(cosigned) < min_cosignatures:
        failures.append(f"{len(cosigned)} of the given witnesses cosigned the checkpoint record or the consistency record; "
                        f"at least {min_cosignatures} required")
    if not keys:
        failures.append("no public key given: no signature was checked")

    position = signed["position"] if signed else "?"
    summary = ""
    if checkpoint is not None:
        summary = f", checkpoint of {checkpoint['treeSize']} leaves"
        if consistency is not None:
            summary += f" consistent with the one of {consistency['treeSize']}"
        summary += f", {len(cosigned)} cosignatures by the given witnesses"
    print(f"{'VERIFIED' if not failures else 'NOT VERIFIED'}: {events} events of {len(tips)} agreements, "
          f"{kept['checked']} kept digests, digest at position {position}{summary}")
    for failure in failures:
        print("  " + failure)
    return 0 if not failures else 1


def self_test():
    """hashing.md, section 4, and the Merkle tree's worked example of audit.md."""
    data = {"party": "JP", "place": "Tōkyō \"HQ\"", "occurredOn": "2023-12-14"}
    got = event_hash(ZEROS, "party_signed", "gcap-treaty", 2, "2023-12-14", "2024-06-23T10:15:30.123456Z", "alice", data)
    want = "5c9e41683784619e8fef62404eaaf31074a0fd8c93fcfba6336dc97f72b5b25d"
    numbers = {"1.50": "1.5", "100": "100", "1e2": "100", "1e21": "1e+21", "1e-7": "1e-7", "0.000001": "0.000001",
               "123456789012.34": "123456789012.34", "-0": "0", "5e-324": "5e-324", "0.1": "0.1"}
    wrong = [f"{text} -> {jcs_number(decimal.Decimal(text))} (want {want_text})"
             for text, want_text in numbers.items()
             if jcs_number(decimal.Decimal(text)) != want_text]
    # audit.md, "Transparency log": the worked example of three leaves, and its consistency proof from 2 to 3.
    tree, two = MerkleRoot(), None
    for i in (1, 2, 3):
        tree.append(leaf_hash(hashlib.sha256(b"event %d" % i).digest()))
        two = tree.root() if tree.size == 2 else two
    merkle = tree.root().hex() == "1207f030e8fb13cccfb4d9acb7958cc98ee3b95fdf9dad858022b303b96a9a92" and verify_consistency(
        2, 3, two, tree.root(), [leaf_hash(hashlib.sha256(b"event 3").digest())])
    if got != want or wrong or not merkle:
        print(f"SELF-TEST FAILED: worked example {got} (want {want}); numbers: {wrong}; Merkle example {'holds' if merkle else 'fails'}")
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
    files, usable = [], True
    values = {"--public-key": [], "--witness-key": [], "--min-cosignatures": []}
    at = 0
    while at < len(args):
        arg = args[at]
        flag = arg.split("=", 1)[0]
        if arg in values:
            usable = usable and at + 1 < len(args)
            if usable:
                values[arg].append(args[at + 1])
            at += 1
        elif flag in values and "=" in arg:
            values[flag].append(arg[len(flag) + 1:])
        elif arg.startswith("--"):
            usable = False  # a misspelt flag must not pass silently for a key that was given
        else:
            files.append(arg)
        at += 1
    pems, witness_pems, minimum = values["--public-key"], values["--witness-key"], values["--min-cosignatures"]
    usable = usable and len(minimum) <= 1 and all(m.isascii() and m.isdigit() for m in minimum)
    if not usable or len(files) != 1 or not os.path.isfile(files[0]):
        print("usage: verify_export.py EXPORT.ndjson|EXPORT.csv --public-key KEY.pem [--public-key KEY.pem]... "
              "[--witness-key WITNESS.pem]... [--min-cosignatures N]   "
              "(the keys from GET /audit/public-key and each witness's GET /witness/public-key, one PEM a file)")
        return 2
    for flag, pem in [("--public-key", p) for p in pems] + [("--witness-key", p) for p in witness_pems]:
        try:
            with open(pem, encoding="ascii") as f:
                if "-----BEGIN PUBLIC KEY-----" not in f.read():
                    raise ValueError("no PUBLIC KEY block")
        except (OSError, ValueError) as error:
            print(f"{flag} {pem}: not a readable PEM public key ({error})")
            return 2
    try:
        return verify(files[0], pems, witness_pems, int(minimum[0]) if minimum else 0)
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        print(f"NOT VERIFIED: the file is not a well-formed export ({type(error).__name__}: {error})")
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
