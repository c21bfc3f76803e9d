#!/usr/bin/env python3
"""Read a Hearth backup without Hearth.

Written from FORMAT.md alone (section numbers below refer to it), with
argon2-cffi and PyNaCl. Prints the journal's entries as JSON, the way
`hearth list --json` prints them, and checks the whole history on the way:
every op's signature and payload, and every setting.

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
            h["format"],
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


def read_backup(data, passphrase=None, recovery_key=None):
    """3.6: returns (header, ops, views, settings, scope_key)."""
    if data[:8] != b"HEARTHBK":
        raise Unreadable("not a Hearth backup")
    r = Reader(data)
    r.take(8)
    if r.u16() != 1:
        raise Unreadable("unknown backup format version")
    header_len = r.u32()
    header = parse_header(r.take(header_len))
    crc_end = r.pos
    if r.u32() != zlib.crc32(data[:crc_end]):
        raise Unreadable("the header's CRC-32 does not match")
    key_aad_end = r.pos

    if recovery_key is not None:
        secrets = secrets_from_recovery_key(header, recovery_key)
    else:
        secrets = secrets_from_passphrase(header, passphrase)
    if len(secrets) != 129 or secrets[0] != 1:
        raise Unreadable("unknown secrets layout")
    scope_key = secrets[65:97]
    device_seed = secrets[97:129]
    if bytes(SigningKey(device_seed).verify_key) != header["device"]:
        raise Unreadable("the secrets do not match the header's device")

    sealed_key = r.take(r.u32())
    backup_key = open_envelope(
        scope_key, b"hearth/backup/key/v1" + data[:key_aad_end], sealed_key, "the backup key"
    )

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
            break

    ops, views, settings = [], [], []
    s = Reader(bytes(stream))
    while not s.done():
        kind = s.u8()
        body = Reader(s.take(s.u32()))
        if kind == 1:
            op = {
                "scope": body.take(16),
                "author": body.take(32),
                "seq": body.u64(),
                "epoch": body.u32(),
                "doc": body.take(16),
                "kind": body.u8(),
            }
            op["payload"] = body.take(body.u32())
            op["signature"] = body.take(body.u32())
            ops.append(op)
        elif kind == 2:
            view = {"doc": body.take(16), "scope": body.take(16)}
            view["payload"] = body.take(body.u32())
            views.append(view)
        elif kind == 3:
            name = body.take(body.u16()).decode("utf-8")
            settings.append({"name": name, "payload": body.take(body.u32())})
        else:
            raise Unreadable(f"unknown record type {kind}")
        if not body.done():
            raise Unreadable("bytes left over in a record")
    return header, ops, views, settings, scope_key


def check_history(header, ops, settings, scope_key):
    """2.2 and 2.4: every op signed and opening, every setting opening."""
    for op in ops:
        if op["kind"] == 0:
            if op["payload"] or op["signature"]:
                raise Unreadable(f"purged marker {op['seq']} carries data")
            continue
        if op["author"] != header["device"]:
            raise Unreadable(f"op {op['seq']} is by an unknown device")
        h = (
            b"hearth/op/v1"
            + op["scope"]
            + struct.pack(">I", op["epoch"])
            + op["doc"]
            + op["author"]
            + struct.pack(">Q", op["seq"])
            + bytes([op["kind"]])
        )
        try:
            VerifyKey(op["author"]).verify(h + op["payload"], op["signature"])
        except BadSignatureError:
            raise Unreadable(f"op {op['seq']} has a bad signature") from None
        open_envelope(scope_key, h, op["payload"], f"op {op['seq']}")
    for s in settings:
        plain = open_envelope(
            scope_key, b"hearth/setting/v1" + s["name"].encode("utf-8"), s["payload"], "a setting"
        )
        json.loads(plain)


def rfc3339(ms):
    """2.7: UTC, Z, three fractional digits only when there are milliseconds."""
    t = datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(milliseconds=ms)
    out = f"{t.year:04d}-{t.month:02d}-{t.day:02d}T{t.hour:02d}:{t.minute:02d}:{t.second:02d}"
    if ms % 1000:
        out += f".{ms % 1000:03d}"
    return out + "Z"


def entries(views, scope_key):
    """2.3 and 2.7: the entries not in the trash, as `hearth list --json`."""
    out = []
    for v in views:
        aad = b"hearth/view/v1" + v["scope"] + v["doc"]
        f = json.loads(open_envelope(scope_key, aad, v["payload"], "a view"))
        if f["v"] != 1:
            raise Unreadable("unknown view version")
        if f["trashed_at"] is not None:
            continue
        out.append(
            {
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
        )
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
        header, ops, views, settings, key = read_backup(data, passphrase, recovery)
        check_history(header, ops, settings, key)
        result = entries(views, key)
    except Unreadable as e:
        print(f"read_backup: {a.backup}: {e}", file=sys.stderr)
        return 1
    json.dump(result, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    print(
        f"read_backup: {len(result)} entries, {len(ops)} ops checked, {len(settings)} settings",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
