#!/usr/bin/env python3
"""Read a Hearth backup without Hearth.

Written from FORMAT.md alone (section numbers below refer to it), with
argon2-cffi and PyNaCl. Reads backup format versions 4, 3 and 2 (section 3)
and version 1 (section 4). Prints the journal's entries as JSON, the way
`hearth list --json` prints them, and checks the whole history on the way:
every op's author, signature, chain and payload, every epoch key, view
and setting.

    read_backup.py BACKUP                     # passphrase from $HEARTH_PASSPHRASE, else asked
    read_backup.py BACKUP --passphrase P
    read_backup.py BACKUP --recovery-key KEY  # or $HEARTH_RECOVERY_KEY

Exits 1 with a message on stderr if anything does not check out.
"""

import argparse
import getpass
import hashlib
import json
import os
import struct
import sys
import zlib
from datetime import datetime, timedelta, timezone

from argon2.low_level import Type, hash_secret_raw
from nacl.bindings import crypto_aead_xchacha20poly1305_ietf_decrypt
from nacl.exceptions import BadSignatureError, CryptoError
from nacl.signing import SigningKey, VerifyKey


class Unreadable(Exception):
    pass


class Reader:
    """Big-endian fields off a byte string (FORMAT.md conventions)."""

    def __init__(self, data):
        self.data = data
        self.pos = 0

    def take(self, n):
        if n > len(self.data) - self.pos:
            raise Unreadable("a field runs past the end")
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def u8(self):
        return self.take(1)[0]

    def u16(self):
        return struct.unpack(">H", self.take(2))[0]

    def u32(self):
        return struct.unpack(">I", self.take(4))[0]

    def u64(self):
        return struct.unpack(">Q", self.take(8))[0]

    def i64(self):
        return struct.unpack(">q", self.take(8))[0]

    def done(self):
        return self.pos == len(self.data)


def h256(data):
    """1.6: BLAKE2b with a 32-byte digest, no key."""
    return hashlib.blake2b(data, digest_size=32).digest()


def open_envelope(key, aad, envelope, what):
    """1.1: nonce (24) || ciphertext || tag (16), XChaCha20-Poly1305."""
    if len(envelope) < 40:
        raise Unreadable(f"{what}: envelope too short")
    try:
        return crypto_aead_xchacha20poly1305_ietf_decrypt(
            envelope[24:], aad, envelope[:24], key
        )
    except CryptoError:
        raise Unreadable(f"{what} does not decrypt") from None


def parse_json(plain, what):
    try:
        return json.loads(plain.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise Unreadable(f"{what} is not UTF-8 JSON") from None


def verify(public_key, message, signature, what):
    """Plain Ed25519 (RFC 8032)."""
    if len(signature) != 64:
        raise Unreadable(f"{what} has no signature ({len(signature)} bytes)")
    try:
        VerifyKey(public_key).verify(message, signature)
    except BadSignatureError:
        raise Unreadable(f"{what} has a bad signature") from None


def secrets_from_passphrase(h, passphrase):
    """1.2 and 1.3."""
    kek = hash_secret_raw(
        secret=passphrase.encode("utf-8"),
        salt=h["salt"],
        time_cost=h["kdf_iterations"],
        memory_cost=h["kdf_memory_kib"],
        parallelism=h["kdf_parallelism"],
        hash_len=32,
        type=Type.ID,
        version=19,
    )
    aad = (
        b"hearth/secrets/v1"
        + struct.pack(
            ">IIII",
            1,  # 1.3: a constant (format 1 wrote `format` here, which was 1)
            h["kdf_memory_kib"],
            h["kdf_iterations"],
            h["kdf_parallelism"],
        )
        + h["salt"]
    )
    return open_envelope(kek, aad, h["wrapped_secrets"], "the secrets (wrong passphrase?)")


CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def secrets_from_recovery_key(h, typed):
    """1.4."""
    text = "".join(c for c in typed.upper() if not c.isspace() and c != "-")
    text = text.replace("I", "1").replace("L", "1").replace("O", "0")
    if len(text) != 36 or any(c not in CROCKFORD for c in text):
        raise Unreadable("that is not a recovery key (36 characters of Crockford base32)")
    bits = 0
    for c in text[:32]:
        bits = (bits << 5) | CROCKFORD.index(c)
    key = bits.to_bytes(20, "big")
    wrapped = h["wrapped_recovery"]
    if not wrapped:
        raise Unreadable("this backup has no recovery-key wrapping")
    if wrapped[0] != 1 or len(wrapped) < 17:
        raise Unreadable("unknown recovery wrapping")
    rsalt, envelope = wrapped[1:17], wrapped[17:]
    rkek = hashlib.blake2b(
        b"hearth recovery key-encryption key",
        digest_size=32,
        key=key,
        salt=rsalt,
        person=b"hearth-recovery1",
    ).digest()
    aad = b"hearth/recovery/v1" + struct.pack(">I", 1) + h["personal_scope"]
    return open_envelope(rkek, aad, envelope, "the secrets (wrong recovery key?)")


def user_secrets(secrets, version, header):
    """1.3: layout 2 (97 bytes) or layout 1 (129, with a format-1 device key).

    Returns (identity public key, personal scope key)."""
    if len(secrets) == 97 and secrets[0] == 2:
        layout = 2
    elif len(secrets) == 129 and secrets[0] == 1:
        layout = 1
    else:
        raise Unreadable("unknown secrets layout")
    if version == 1:
        # 4: format 1 keeps the device key in the secrets; it signs every op
        # and its public key is the header's device.
        if layout != 1:
            raise Unreadable("a version-1 backup with secrets of layout 2")
        if bytes(SigningKey(secrets[97:129]).verify_key) != header["device"]:
            raise Unreadable("the secrets do not match the header's device")
    identity = bytes(SigningKey(secrets[1:33]).verify_key)
    return identity, secrets[65:97]


def parse_header(data):
    """3.2."""
    r = Reader(data)
    h = {}
    h["format"] = r.u32()
    h["kdf_memory_kib"] = r.u32()
    h["kdf_iterations"] = r.u32()
    h["kdf_parallelism"] = r.u32()
    h["salt"] = r.take(r.u16())
    h["wrapped_secrets"] = r.take(r.u32())
    h["wrapped_recovery"] = r.take(r.u32())
    h["device"] = r.take(32)
    h["personal_scope"] = r.take(16)
    h["created_at"] = r.i64()
    h["made_at"] = r.i64()
    if not r.done():
        raise Unreadable("bytes left over after the header's fields")
    return h


def parse_op(body, version):
    """3.5 type 1 (version 1 has no prev or payload_hash, 4)."""
    op = {
        "scope": body.take(16),
        "author": body.take(32),
        "seq": body.u64(),
        "epoch": body.u32(),
        "doc": body.take(16),
        "kind": body.u8(),
    }
    if version >= 2:
        op["prev"] = body.take(32)
        op["payload_hash"] = body.take(32)
    op["payload"] = body.take(body.u32())
    op["signature"] = body.take(body.u32())
    return op


def parse_view(body, version):
    """3.5 type 2 (version 1 has no doc_type, 4)."""
    view = {"doc": body.take(16), "scope": body.take(16)}
    view["doc_type"] = body.u8() if version >= 2 else 1
    view["payload"] = body.take(body.u32())
    return view


def parse_setting(body, version):
    """3.5 type 3."""
    raw = body.take(body.u16())
    try:
        name = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Unreadable("a setting's name is not UTF-8") from None
    return {"name": name, "payload": body.take(body.u32())}


def parse_epoch_key(body, version):
    """3.5 type 4."""
    row = {"scope": body.take(16), "epoch": body.u32()}
    row["payload"] = body.take(body.u32())
    return row


def parse_tombstone(body, version):
    """3.5 type 5."""
    return {
        "scope": body.take(16),
        "doc": body.take(16),
        "author": body.take(32),
        "seq": body.u64(),
    }


def parse_blob_chunk(body, version):
    """3.5 type 6."""
    row = {"id": body.take(32), "index": body.u32()}
    row["payload"] = body.take(body.u32())
    return row


# 3.5: record type -> (list, parser, first backup version that has it);
# 4: a version-1 backup has no records of types 4 and 5.
RECORD_TYPES = {
    1: ("ops", parse_op, 1),
    2: ("views", parse_view, 1),
    3: ("settings", parse_setting, 1),
    4: ("epochs", parse_epoch_key, 2),
    5: ("tombstones", parse_tombstone, 2),
    6: ("blobs", parse_blob_chunk, 4),
}


def parse_records(stream, version):
    """3.5: type (1) || u32 N || body (N), each body used exactly."""
    records = {name: [] for name, _, _ in RECORD_TYPES.values()}
    s = Reader(stream)
    while not s.done():
        kind = s.u8()
        body = Reader(s.take(s.u32()))
        if kind not in RECORD_TYPES or RECORD_TYPES[kind][2] > version:
            raise Unreadable(f"unknown record type {kind} in a version-{version} backup")
        name, parse, _ = RECORD_TYPES[kind]
        records[name].append(parse(body, version))
        if not body.done():
            raise Unreadable(f"bytes left over in a record of type {kind}")
    return records


def open_chunks(r, backup_key):
    """3.4: every chunk in order; `last` is 1 exactly for the one ending the file."""
    stream = bytearray()
    index = 0
    while True:
        if r.done():
            raise Unreadable("the file ends before its final chunk")
        length = r.u32()
        envelope = r.take(length)
        last = r.done()
        aad = b"hearth/backup/chunk/v1" + struct.pack(">Q", index) + bytes([1 if last else 0])
        stream += open_envelope(backup_key, aad, envelope, f"chunk {index}")
        index += 1
        if last:
            return bytes(stream)


def read_backup(data, passphrase=None, recovery_key=None):
    """3.6 steps 1 to 5: returns the backup as a dict (header, keys, records)."""
    if data[:8] != b"HEARTHBK":
        raise Unreadable("not a Hearth backup")
    r = Reader(data)
    r.take(8)
    version = r.u16()
    if version not in (1, 2, 3, 4):
        raise Unreadable(f"unknown backup format version {version}")
    header_len = r.u32()
    header = parse_header(r.take(header_len))
    crc_end = r.pos
    if r.u32() != zlib.crc32(data[:crc_end]):
        raise Unreadable("the header's CRC-32 does not match")
    key_aad_end = r.pos
    if header["format"] != version:
        raise Unreadable(f"vault format {header['format']} in a version-{version} backup")

    if recovery_key is not None:
        secrets = secrets_from_recovery_key(header, recovery_key)
    else:
        secrets = secrets_from_passphrase(header, passphrase)
    identity, scope_key = user_secrets(secrets, version, header)

    sealed_key = r.take(r.u32())
    backup_key = open_envelope(
        scope_key, b"hearth/backup/key/v1" + data[:key_aad_end], sealed_key, "the backup key"
    )
    backup = parse_records(open_chunks(r, backup_key), version)
    backup.update(version=version, header=header, identity=identity, scope_key=scope_key)
    return backup


def op_name(op):
    return f"op {op['seq']} by {op['author'][:4].hex()}…"


def op_place(tag, op):
    """2.2: the fields A and S share, after their tag."""
    return (
        tag
        + op["scope"]
        + struct.pack(">I", op["epoch"])
        + op["doc"]
        + op["author"]
        + struct.pack(">Q", op["seq"])
        + bytes([op["kind"]])
    )


def op_aad(op):
    """2.2: A, the payload's AAD (and, in format 1, the signed op header, 4)."""
    return op_place(b"hearth/op/v1", op)


def op_signed_header(op):
    """2.2: S, what the author signs; the op's hash is H256(S)."""
    return op_place(b"hearth/op/v2", op) + op["prev"] + op["payload_hash"]


def op_chains(ops):
    """2.2: each (scope, author)'s ops, in seq order, counting from 1 without gaps."""
    chains = {}
    for op in ops:
        chains.setdefault((op["scope"], op["author"]), []).append(op)
    for chain in chains.values():
        chain.sort(key=lambda op: op["seq"])
        for expected, op in enumerate(chain, start=1):
            if op["seq"] != expected:
                problem = "a duplicate" if op["seq"] < expected else f"a gap before seq {op['seq']}"
                raise Unreadable(f"the ops by {op['author'][:4].hex()}… have {problem}")
    return chains


def check_history_v1(b):
    """4 (with 2.2): every op by the device, signed over A || payload, and opening."""
    op_chains(b["ops"])
    for op in b["ops"]:
        if op["kind"] == 0:
            if op["payload"] or op["signature"]:
                raise Unreadable(f"{op_name(op)} is a purged marker that carries data")
            continue
        if op["kind"] not in (1, 2):
            raise Unreadable(f"{op_name(op)} has unknown kind {op['kind']}")
        if op["author"] != b["header"]["device"]:
            raise Unreadable(f"{op_name(op)} is by an unknown device")
        a = op_aad(op)
        verify(op["author"], a + op["payload"], op["signature"], op_name(op))
        open_envelope(b["scope_key"], a, op["payload"], op_name(op))


def epoch_keys(b):
    """2.7: (scope, epoch) -> key; epoch 0 of the personal scope is the scope key."""
    keys = {(b["header"]["personal_scope"], 0): b["scope_key"]}
    for row in b["epochs"]:
        where = (row["scope"], row["epoch"])
        if where in keys:
            raise Unreadable(f"two keys for epoch {row['epoch']}")
        aad = b"hearth/epoch-key/v1" + row["scope"] + struct.pack(">I", row["epoch"])
        key = open_envelope(b["scope_key"], aad, row["payload"], f"the key of epoch {row['epoch']}")
        if len(key) != 32:
            raise Unreadable(f"the key of epoch {row['epoch']} is not 32 bytes")
        keys[where] = key
    return keys


def open_op(op, keys):
    """2.2: the payload, under the key of its epoch, with AAD A."""
    key = keys.get((op["scope"], op["epoch"]))
    if key is None:
        raise Unreadable(f"{op_name(op)} is sealed in epoch {op['epoch']}, which has no key")
    return open_envelope(key, op_aad(op), op["payload"], op_name(op))


def parse_certificate(data, identity, what):
    """1.6: returns the certified device's public key, if the identity key signed it."""
    r = Reader(data)
    if r.u8() != 1:
        raise Unreadable(f"{what}: unknown certificate version")
    if r.take(32) != identity:
        raise Unreadable(f"{what}: the certificate is for another identity")
    device = r.take(32)
    r.take(32)  # agreement public key
    r.i64()  # issued_at
    name = r.take(r.u16())
    try:
        name.decode("utf-8")
    except UnicodeDecodeError:
        raise Unreadable(f"{what}: the device name is not UTF-8") from None
    if not 1 <= len(name) <= 100:
        raise Unreadable(f"{what}: the device name is {len(name)} bytes")
    signed = r.pos
    signature = r.take(64)
    if not r.done():
        raise Unreadable(f"{what}: bytes left over after the certificate")
    verify(identity, b"hearth/device-cert/v1" + data[:signed], signature, f"{what}'s certificate")
    return device


def certified_devices(b, keys):
    """2.2 Trust, 2.10, 3.6 step 7: scope -> the devices certified in a
    kind-3 op of that scope (whoever wrote the op): in the personal scope by
    the journal's identity key, in a circle's by any member's own identity
    key (the certificate names it)."""
    personal = b["header"]["personal_scope"]
    certified = {"identity": b["identity"], "personal_scope": personal}
    for op in b["ops"]:
        if op["kind"] == 3 and op["payload"]:
            plain = open_op(op, keys)
            signer = b["identity"] if op["scope"] == personal else plain[1:33]
            device = parse_certificate(plain, signer, op_name(op))
            certified.setdefault(op["scope"], set()).add(device)
    return certified


def check_op_v2(op, prev, keys, certified):
    """2.2 and 3.6 step 7, one op; returns its hash H256(S)."""
    what = op_name(op)
    if op["kind"] not in range(1, 12):
        raise Unreadable(f"{what} has unknown kind {op['kind']}")
    if op["kind"] in (8, 9, 10, 11) and (op["scope"] == personal_scope(certified) or op["doc"] == bytes(16)):
        raise Unreadable(f"{what}: a shared entry, reply, report or away note outside a circle's documents")
    if op["author"] not in certified.get(op["scope"], ()):
        raise Unreadable(f"{what} is by a device the identity key never certified")
    if op["prev"] != prev:
        raise Unreadable(f"{what} does not follow its author's previous op (prev hash)")
    s = op_signed_header(op)
    verify(op["author"], s, op["signature"], what)
    if not op["payload"]:
        # a marker (2.2 Purging): only its signature is left to check; a
        # purge op and a certificate keep their payloads.
        if op["kind"] != 1:
            raise Unreadable(f"{what} is a purge op or registry op without its payload")
        return h256(s)
    if h256(op["payload"]) != op["payload_hash"]:
        raise Unreadable(f"{what}'s payload does not match its payload_hash")
    plain = open_op(op, keys)
    if op["kind"] == 2 and plain:
        raise Unreadable(f"{what} is a purge op with a non-empty plaintext")
    if op["kind"] in (3, 4, 5, 6) and op["doc"] != bytes(16):
        raise Unreadable(f"{what} is a registry op outside the registry")
    if op["kind"] == 7 and (op["doc"] != CIRCLES_DOC or op["scope"] != personal_scope(certified)):
        raise Unreadable(f"{what} carries a circle key outside the circles document")
    if op["kind"] == 7 and (len(plain) != 1 + 16 + 4 + 32 or plain[0] != 1):
        raise Unreadable(f"{what}: malformed circle key")
    if op["kind"] == 4:
        check_removal(plain, certified_identity(certified), what)
    if op["kind"] == 5:
        check_epoch_change(plain, what)
    return h256(s)


CIRCLES_DOC = bytes(15) + b"\x01"


def personal_scope(certified):
    return certified.get("personal_scope")


def certified_identity(certified):
    return certified.get("identity")


def check_removal(data, identity, what):
    """1.6: a device removal, signed by the identity key."""
    if len(data) != 1 + 32 + 32 + 8 + 8 + 64 or data[0] != 1:
        raise Unreadable(f"{what}: malformed device removal")
    if identity is not None and data[1:33] != identity:
        raise Unreadable(f"{what}: the removal is for another identity")
    verify(data[1:33], b"hearth/device-removal/v1" + data[:81], data[81:], f"{what}'s removal")


def check_epoch_change(data, what):
    """2.7: a new epoch's announcement: the member set's hash matches its wrappings."""
    r = Reader(data)
    if r.u8() != 1:
        raise Unreadable(f"{what}: unknown epoch announcement version")
    epoch, parent = r.u32(), r.u32()
    members = r.take(32)
    count = r.u16()
    devices = []
    for _ in range(count):
        devices.append(r.take(32))
        r.take(80)
    if not r.done():
        raise Unreadable(f"{what}: bytes left over after the epoch announcement")
    if devices != sorted(devices) or h256(b"".join(devices)) != members:
        raise Unreadable(f"{what}: the member set does not match its hash")
    if epoch >> 20 <= parent >> 20:
        raise Unreadable(f"{what}: epoch {epoch} is not a later generation than {parent}")


def check_tombstones(b):
    """2.8 and 2.2 (Purging): each tombstone names a purge op of its entry,
    which has no view; an entry's ops are markers exactly when it was purged
    (all but its purge ops)."""
    ops = {(op["scope"], op["author"], op["seq"]): op for op in b["ops"]}
    views = {(v["scope"], v["doc"]) for v in b["views"]}
    purged = set()
    for t in b["tombstones"]:
        entry = (t["scope"], t["doc"])
        if entry in purged:
            raise Unreadable(f"entry {t['doc'].hex()} has two tombstones")
        purged.add(entry)
        purge = ops.get((t["scope"], t["author"], t["seq"]))
        if purge is None or purge["kind"] != 2 or purge["doc"] != t["doc"]:
            raise Unreadable(f"the tombstone of {t['doc'].hex()} names no purge op of it")
        if entry in views:
            raise Unreadable(f"purged entry {t['doc'].hex()} still has a view")
    for op in b["ops"]:
        entry = (op["scope"], op["doc"])
        if not op["payload"] and entry not in purged:
            raise Unreadable(f"{op_name(op)} is a marker, but {op['doc'].hex()} was never purged")
        if op["payload"] and op["kind"] == 1 and entry in purged:
            raise Unreadable(f"{op_name(op)} kept its payload, but {op['doc'].hex()} was purged")


def check_history_v2(b):
    """3.6 step 7: certified authors, payload hashes, signatures over S,
    prev chains, gap-free seqs, payloads that open; markers: signature only."""
    keys = epoch_keys(b)
    certified = certified_devices(b, keys)
    for chain in op_chains(b["ops"]).values():
        prev = bytes(32)
        for op in chain:
            prev = check_op_v2(op, prev, keys, certified)
    check_tombstones(b)


def check_settings(b):
    """2.4: every setting opens to JSON."""
    for s in b["settings"]:
        aad = b"hearth/setting/v1" + s["name"].encode("utf-8")
        plain = open_envelope(b["scope_key"], aad, s["payload"], f"setting {s['name']}")
        parse_json(plain, f"setting {s['name']}")


def check_history(b):
    """3.6 step 7 (version 2) or 4 (version 1), then 2.4."""
    if b["version"] == 1:
        check_history_v1(b)
    else:
        check_history_v2(b)
    check_settings(b)


def rfc3339(ms):
    """2.9: UTC, Z, three fractional digits only when there are milliseconds."""
    t = datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(milliseconds=ms)
    out = f"{t.year:04d}-{t.month:02d}-{t.day:02d}T{t.hour:02d}:{t.minute:02d}:{t.second:02d}"
    if ms % 1000:
        out += f".{ms % 1000:03d}"
    return out + "Z"


# 2.3: the view's keys
VIEW_KEYS = (
    "v", "title", "body", "mood", "feelings", "tags", "starred",
    "created_at", "updated_at", "trashed_at",
)


BLOB_CHUNK = 1 << 20


def check_attachment(b, a):
    """2.11: every chunk of the attachment opens, and the chunks' hashes give its id."""
    content = bytes.fromhex(a["id"])
    blob = h256(b"hearth/blob-id/v1" + b["scope_key"] + content)
    chunks = sorted((c for c in b["blobs"] if c["id"] == blob), key=lambda c: c["index"])
    count = max(1, -(-a["size"] // BLOB_CHUNK))
    if [c["index"] for c in chunks] != list(range(count)):
        raise Unreadable(f"attachment {a['name']} is incomplete")
    hashes = b""
    size = 0
    for c in chunks:
        last = 1 if c["index"] == count - 1 else 0
        aad = b"hearth/blob/v1" + content + struct.pack(">I", c["index"]) + bytes([last])
        plain = open_envelope(b["scope_key"], aad, c["payload"], f"attachment {a['name']}")
        hashes += h256(plain)
        size += len(plain)
    if size != a["size"] or h256(b"hearth/file/v1" + struct.pack(">Q", size) + hashes) != content:
        raise Unreadable(f"attachment {a['name']}: its bytes do not match its id")
    return a


def entries(b):
    """2.3 and 2.9: the entries not in the trash, as `hearth list --json`."""
    out = []
    seen = set()
    for v in b["views"]:
        # 2.3: (scope, doc) is the primary key (format 1: doc, 4); 3.6: no entry has two views
        where = v["doc"] if b["version"] == 1 else (v["scope"], v["doc"])
        if where in seen:
            raise Unreadable(f"entry {v['doc'].hex()} has two views")
        seen.add(where)
        if v["doc_type"] != 1:
            raise Unreadable(f"the view of {v['doc'].hex()} has unknown doc_type {v['doc_type']}")
        aad = b"hearth/view/v1" + v["scope"] + v["doc"]
        what = f"the view of {v['doc'].hex()}"
        f = parse_json(open_envelope(b["scope_key"], aad, v["payload"], what), what)
        if not isinstance(f, dict) or any(k not in f for k in VIEW_KEYS):
            raise Unreadable(f"{what} lacks some of its fields")
        if f["v"] != 1:
            raise Unreadable("unknown view version")
        attachments = [check_attachment(b, parse_json(a.encode(), what)) for a in f.get("attachments", [])]
        if f["trashed_at"] is not None:
            continue
        entry = {
            "id": v["doc"].hex(),
            "title": f["title"],
            "body": f["body"],
            "mood": f["mood"],
            "feelings": f["feelings"],
            "tags": f["tags"],
            "starred": f["starred"],
            "created_at": f["created_at"],
            "updated_at": f["updated_at"],
        }
        # 2.3: format 4's keys, present only when the entry has them
        if attachments:
            entry["attachments"] = attachments
        if f.get("place") is not None:
            entry["place"] = parse_json(f["place"].encode(), what)
        for key in ("weather", "time_zone"):
            if f.get(key) is not None:
                entry[key] = f[key]
        out.append(entry)
    out.sort(key=lambda e: (e["created_at"], e["id"]), reverse=True)
    for e in out:
        e["created_at"] = rfc3339(e["created_at"])
        e["updated_at"] = rfc3339(e["updated_at"])
    return out


def main():
    p = argparse.ArgumentParser(description="Print the entries of a Hearth backup as JSON.")
    p.add_argument("backup")
    p.add_argument("--passphrase")
    p.add_argument("--recovery-key")
    a = p.parse_args()
    recovery = a.recovery_key or os.environ.get("HEARTH_RECOVERY_KEY")
    passphrase = a.passphrase or os.environ.get("HEARTH_PASSPHRASE")
    if recovery is None and passphrase is None:
        passphrase = getpass.getpass("Passphrase: ")
    with open(a.backup, "rb") as f:
        data = f.read()
    try:
        backup = read_backup(data, passphrase, recovery)
        check_history(backup)
        result = entries(backup)
    except Unreadable as e:
        print(f"read_backup: {a.backup}: {e}", file=sys.stderr)
        return 1
    json.dump(result, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    markers = sum(1 for op in backup["ops"] if not op["payload"])
    print(
        f"read_backup: backup version {backup['version']}, {len(result)} entries, "
        f"{len(backup['ops'])} ops checked ({markers} markers), {len(backup['settings'])} settings",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
