"""A gRPC server interceptor: every request's identifiers pass `identifiers` before a servicer sees them.

It walks each request message (for a client-streaming call, its first message: the header or
settings that name what the stream is about), applies the rule of every field whose name has
one (job_id, party_id, role, component_name, namespace, ...), bounds every other string, and
refuses the call with INVALID_ARGUMENT and the rule's sentence. Messages of google.protobuf
(free-form Struct schemas) are left to the code that reads them.
"""

from __future__ import annotations

import logging
from itertools import chain
from typing import Any, Callable, Iterator

import grpc
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from fate_runtime import identifiers
from fate_runtime.errors import BadRequest

log = logging.getLogger("fate_flow.grpc")

_UNBOUNDED = frozenset({"dsl_json", "conf_json"})  # whole DSLs and confs, checked by the DSL parser
_FREE_TEXT = frozenset({"notes", "retmsg"})


def _check_string(name: str, value: str) -> None:
    rule = identifiers.FIELD_RULES.get(name)
    if rule is not None:
        rule(value, name)
    elif name in _FREE_TEXT:
        identifiers.text(value, name, identifiers.MAX_TEXT)
    elif name not in _UNBOUNDED:
        identifiers.text(value, name)


def check_message(message: Message) -> None:
    """BadRequest for the first field of `message` (or of a message in it) that breaks its rule."""
    if message.DESCRIPTOR.full_name.startswith("google.protobuf."):
        return
    for field, value in message.ListFields():
        if field.message_type is not None and field.message_type.GetOptions().map_entry:
            _check_map(field, value)
        elif field.type == FieldDescriptor.TYPE_MESSAGE:
            for item in (value if field.is_repeated else [value]):
                check_message(item)
        elif field.type == FieldDescriptor.TYPE_STRING:
            for item in (value if field.is_repeated else [value]):
                _check_string(field.name, item)


def _check_map(field: FieldDescriptor, mapping: Any) -> None:
    """Maps of string values are named fields (query filters: a JSON list or object, the value of a JSON column, is
    only bounded); `roles` maps a role to its parties."""
    entry = field.message_type
    assert entry is not None  # a map field's entries are messages
    values_are_messages = entry.fields_by_name["value"].type == FieldDescriptor.TYPE_MESSAGE
    for key, value in mapping.items():
        if field.name == "roles":
            identifiers.role(key, "role")
        else:
            identifiers.text(key, f"{field.name} key")
        if values_are_messages:
            check_message(value)
        elif isinstance(value, str) and value[:1] in ("[", "{"):  # a JSON column's value (a list of steps, roles)
            identifiers.text(value, key)
        elif isinstance(value, str) and value:
            _check_string(key, value)


def _check_or_abort(request: Message, context: grpc.ServicerContext) -> None:
    try:
        check_message(request)
    except BadRequest as exc:
        log.info("refused a request: %s", exc)
        context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(exc))
    except Exception:  # noqa: BLE001 - a bug here must not show the caller a Python error
        log.exception("checking a request failed")
        context.abort(grpc.StatusCode.INTERNAL, "the node failed to check the request; its log has the details")


def _unary(behavior: Callable[..., Any]) -> Callable[..., Any]:
    def checked(request: Message, context: grpc.ServicerContext) -> Any:
        _check_or_abort(request, context)
        return behavior(request, context)
    return checked


def _streaming(behavior: Callable[..., Any]) -> Callable[..., Any]:
    def checked(requests: Iterator[Message], context: grpc.ServicerContext) -> Any:
        first = next(requests, None)
        if first is not None:
            _check_or_abort(first, context)
        return behavior(chain([] if first is None else [first], requests), context)
    return checked


class IdentifierCheck(grpc.ServerInterceptor):
    def intercept_service(self, continuation: Callable[[Any], Any], details: Any) -> Any:
        handler = continuation(details)
        if handler is None:
            return None
        options = {"request_deserializer": handler.request_deserializer,
                   "response_serializer": handler.response_serializer}
        if handler.unary_unary:
            return grpc.unary_unary_rpc_method_handler(_unary(handler.unary_unary), **options)
        if handler.unary_stream:
            return grpc.unary_stream_rpc_method_handler(_unary(handler.unary_stream), **options)
        if handler.stream_unary:
            return grpc.stream_unary_rpc_method_handler(_streaming(handler.stream_unary), **options)
        return grpc.stream_stream_rpc_method_handler(_streaming(handler.stream_stream), **options)
