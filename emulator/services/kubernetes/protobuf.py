"""Protobuf bodies (`application/vnd.kubernetes.protobuf`): the `k8s\\x00` envelope around runtime.Unknown, and the
JSON view of each message, as kube-apiserver's Go types give it (omitempty, inline structs, Time, Quantity, ...)."""
from __future__ import annotations

import functools
import struct
from datetime import datetime, timezone
from typing import Any

from google.protobuf.message import DecodeError

from emulator.core import jsonio
from emulator.core.clock import parse_rfc3339, rfc3339
from emulator.services.kubernetes import errors, protobuf_messages

MAGIC = b"k8s\x00"
# (apiVersion, kind) -> message; a kind is served in protobuf once it is listed here
KINDS = {
    ("batch/v1", "Job"): "Job", ("batch/v1", "JobList"): "JobList",
    ("v1", "Namespace"): "Namespace", ("v1", "NamespaceList"): "NamespaceList",
    ("v1", "Status"): "Status", ("v1", "DeleteOptions"): "DeleteOptions",
    ("meta.k8s.io/v1", "DeleteOptions"): "DeleteOptions",
    ("v1", "Pod"): "Pod", ("v1", "PodList"): "PodList", ("v1", "Event"): "Event", ("v1", "EventList"): "EventList",
    ("events.k8s.io/v1", "Event"): "EventsV1Event", ("events.k8s.io/v1", "EventList"): "EventsV1EventList",
}
SPECIAL = ("Time", "MicroTime", "Quantity", "IntOrString", "FieldsV1", "RawExtension")


class Codec:
    """JSON-shaped objects to enveloped protobuf and back, through the declared message classes."""

    def __init__(self) -> None:
        self.classes = protobuf_messages.build()
        self.fields = {name: {json_name: (mark, kind) for json_name, mark, _, kind in fields}
                       for name, fields in protobuf_messages.FIELDS.items()}

    def knows(self, body: Any) -> bool:
        return isinstance(body, dict) and (body.get("apiVersion"), body.get("kind")) in KINDS

    # --- JSON -> protobuf ------------------------------------------------------------------------

    def encode(self, body: dict) -> bytes:
        """An object with its apiVersion and kind (which only the envelope carries), enveloped."""
        api_version, kind = body["apiVersion"], body["kind"]
        message = self.message(KINDS[(api_version, kind)], body)
        return self.envelope(api_version, kind, message.SerializeToString(deterministic=True))

    def envelope(self, api_version: str, kind: str, raw: bytes) -> bytes:
        unknown = self.classes["Unknown"](raw=raw, contentEncoding="", contentType="")
        unknown.typeMeta.apiVersion, unknown.typeMeta.kind = api_version, kind
        return MAGIC + unknown.SerializeToString(deterministic=True)

    def watch_frame(self, event_type: str, body: dict) -> bytes:
        """One protobuf watch frame: a 4-byte big-endian length, then a WatchEvent holding the enveloped object."""
        event = self.classes["WatchEvent"](type=event_type)
        event.object.raw = self.encode(body)
        data = event.SerializeToString(deterministic=True)
        return struct.pack(">I", len(data)) + data

    def message(self, name: str, value: dict) -> Any:
        message = self.classes[name]()
        self._fill(message, name, value)
        return message

    def _fill(self, message: Any, name: str, value: dict) -> None:
        fields = self.fields[name]
        for key, item in value.items():
            found = fields.get(key)
            if item is None and found and found[1] in ("Time", "MicroTime"):
                getattr(message, key).SetInParent()  # the zero time: a message of no bytes, read back as null
            if item is None or key in ("apiVersion", "kind") and key not in fields:
                continue
            if found is None:  # a field of an inline (embedded) struct, or one no message declares: dropped
                inline = next((f for f, (mark, kind) in fields.items()
                               if mark == "*" and key in self.fields[kind]), None)
                if inline is not None:
                    self._fill(getattr(message, inline), fields[inline][1], {key: item})
                continue
            self._set(message, key, found[1], item)

    def _set(self, message: Any, key: str, kind: str, item: Any) -> None:
        if kind.startswith("{"):
            target = getattr(message, key)
            for map_key, map_value in item.items():
                if kind == "{str}":
                    target[map_key] = map_value
                else:
                    target[map_key].CopyFrom(self._special(kind[1:-1], map_value))
            return
        if kind.startswith("[]"):
            base, target = kind[2:], getattr(message, key)
            for element in item:
                if base in protobuf_messages.FIELDS:
                    target.add().CopyFrom(self._special(base, element) if base in SPECIAL else
                                          self.message(base, element))
                else:
                    target.append(element)
            return
        if kind in SPECIAL:
            getattr(message, key).CopyFrom(self._special(kind, item))
        elif kind in protobuf_messages.FIELDS:
            sub = getattr(message, key)
            sub.SetInParent()
            self._fill(sub, kind, item)
        else:
            setattr(message, key, item)

    def _special(self, kind: str, value: Any) -> Any:
        message = self.classes[kind]()
        if kind in ("Time", "MicroTime"):
            moment = parse_rfc3339(value)
            message.seconds = int(moment.timestamp())
            if kind == "MicroTime":
                message.nanos = moment.microsecond * 1000
        elif kind == "Quantity":
            message.string = str(value)
        elif kind == "IntOrString":
            if isinstance(value, str):
                message.type, message.strVal = 1, value
            else:
                message.type, message.intVal = 0, value
        elif kind == "FieldsV1":
            message.Raw = jsonio.dumps(value)
        else:  # RawExtension
            message.raw = jsonio.dumps(value)
        return message

    # --- protobuf -> JSON ------------------------------------------------------------------------

    def decode(self, raw: bytes, api_version: str, kind: str) -> dict:
        """An enveloped body as the JSON object Go would decode it into; 400 for what is not one."""
        if not raw.startswith(MAGIC):
            raise errors.bad_request("provided data does not appear to be a protobuf message, expected prefix "
                                     "[107 56 115 0]")
        try:
            unknown = self.classes["Unknown"].FromString(raw[len(MAGIC):])
            given_version = unknown.typeMeta.apiVersion or api_version
            given_kind = unknown.typeMeta.kind or kind
            name = KINDS.get((given_version, given_kind))
            if name is None:
                raise errors.bad_request(f"the API version in the data ({given_version}) does not match the "
                                         f"expected API version ({api_version})" if given_version != api_version else
                                         f"no kind \"{given_kind}\" is registered for version \"{given_version}\"")
            message = self.classes[name].FromString(unknown.raw)
        except DecodeError as error:
            raise errors.bad_request(f"unable to decode the protobuf body: {error}") from None
        return {"kind": given_kind, "apiVersion": given_version, **self.view(message, name)}

    def view(self, message: Any, name: str) -> dict:
        fields, found = self.fields[name], {}
        for descriptor, value in message.ListFields():
            key = descriptor.name
            mark, kind = fields[key]
            if kind.startswith("{"):
                found[key] = {k: (v if kind == "{str}" else self._plain(kind[1:-1], v)) for k, v in value.items()}
            elif kind.startswith("[]"):
                base = kind[2:]
                found[key] = [self._plain(base, v) if base in SPECIAL else self.view(v, base)
                              if base in protobuf_messages.FIELDS else v for v in value]
            elif kind in SPECIAL:
                found[key] = self._plain(kind, value)
            elif kind in protobuf_messages.FIELDS:
                viewed = self.view(value, kind)
                if mark == "*":
                    found.update(viewed)
                else:
                    found[key] = viewed
            elif value or mark in "!?" and mark:
                found[key] = value  # a zero that Go's omitempty drops is left out
        return found

    def _plain(self, kind: str, message: Any) -> Any:
        if kind in ("Time", "MicroTime"):
            if not message.ListFields():
                return None  # the zero time
            moment = datetime.fromtimestamp(message.seconds + message.nanos / 1e9, timezone.utc)
            return rfc3339(moment) if kind == "Time" else moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        if kind == "Quantity":
            return message.string
        if kind == "IntOrString":
            return message.strVal if message.type == 1 else message.intVal
        try:
            return jsonio.loads(message.Raw if kind == "FieldsV1" else message.raw)
        except ValueError:
            raise errors.bad_request(f"invalid JSON in a protobuf {kind}") from None


@functools.cache
def codec() -> Codec:
    """The codec, built once (message classes are fixed by the declarations)."""
    return Codec()
