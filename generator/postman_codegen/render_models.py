"""Models code: the views the models template writes, built from the emitters.

A model style is one bundle (`ModelStyle`): the base class and decorator of
the generated models, the template, the names a field may not take and the
functions that build the view of a class and of a parse adapter (a body that
is not one object). `STYLES` holds the styles this generator writes
(`dataclass`: generated from_dict/to_dict code from the emitters; `msgspec`:
Struct declarations that msgspec decodes itself); `Options.model_style` picks one.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import naming
from .emitters import (
    LOCAL_RESERVED,
    CodeWriter,
    Context,
    DateTime,
    Helper,
    JsonPath,
    Nullable,
)
from .errors import GeneratorError
from .escape import literal
from .infer import (
    ArrayT,
    FieldT,
    MapT,
    NullableT,
    ObjectT,
    Scalar,
    TypeNode,
    UnionT,
    Unknown,
    path_step,
)
from .plan import Method, Package
from .typeplan import Root

RUNTIME_FILE = Path(__file__).resolve().parent / "runtime.py"


@dataclass(frozen=True, slots=True)
class FieldView:
    name: str
    key: str
    annotation: str  # with `| Unset` when the key may be absent
    default: str  # "" or the `= ...` text of the declaration

    @property
    def keyed(self) -> bool:
        """The declaration states the JSON key (it differs from the name)."""
        return self.key != self.name


@dataclass(frozen=True, slots=True)
class ClassView:
    name: str
    doc: str
    fields: list[FieldView]
    reads: list[tuple[str, str]]  # local <- JSON key of every required field
    missing: str  # the local holding the KeyError of a required key not there
    parse_lines: list[str]  # from_dict body after the reads, before the object is made
    args: list[tuple[str, str]]  # attribute -> value expression
    texts: list[str]  # expressions of the date-times' original JSON (see `_rt.texts`)
    required: list[tuple[str, str]]  # JSON key -> to-JSON expression
    optional: list[tuple[str, str, str]]  # attribute, JSON key, to-JSON expression


@dataclass(frozen=True, slots=True)
class AdapterView:
    name: str
    doc: str
    annotation: str
    parse_lines: list[str]
    value: str
    emit: str


@dataclass(frozen=True, slots=True)
class ModelStyle:
    """One way of writing models: everything that differs between styles."""

    name: str
    template: str  # the models template
    base: str  # base class of every model
    decorator: str  # class decorator of every model
    reserved: frozenset[str]  # attribute names of the base: no field takes them
    class_view: Callable[[str, ObjectT, Context, ModelStyle, str], ClassView]
    adapter_view: Callable[[Root, Context, str], AdapterView]


def runtime_model_names(source: str | None = None) -> frozenset[str]:
    """Public attribute names of the runtime's `Model` (`extra`), and the
    methods every model has: a field named so would hide them."""
    tree = ast.parse(source if source is not None else RUNTIME_FILE.read_text("utf-8"))
    names = {"from_dict", "to_dict"}
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == "Model":
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    names.add(item.name)
                elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                    names.add(item.target.id)
    return frozenset(n for n in names if not n.startswith("_"))


def _field_name(key: str, scope: naming.Scope, style: ModelStyle) -> str:
    name = naming.snake(key, fallback="field")
    return scope.claim(name + "_" if name in style.reserved else name)


def dataclass_class_view(name: str, obj: ObjectT, ctx: Context, style: ModelStyle,
                         doc: str) -> ClassView:
    """Fields, from_dict and to_dict of one class in the dataclass style."""
    attrs = naming.Scope(reserved=naming.RESERVED | style.reserved)
    locals_ = naming.Scope(reserved=ctx.class_locals_reserved)
    fields = [(f, _field_name(f.key, attrs, style)) for f in obj.fields]
    local_of = {f.key: locals_.claim(attr if locals_.free(attr) else attr + "_")
                for f, attr in fields}
    missing = locals_.claim("missing")
    w = CodeWriter(ctx, locals_, level=2)
    views, reads, args, required, optional = [], [], [], [], []
    texts: list[str] = []
    for f, attr in fields:
        em = ctx.emitter(f.type)
        src = local_of[f.key]
        if f.required:
            reads.append((src, f.key))
        args.append((attr, _parse_field(w, f, src)))
        hint = None
        if em.dated:
            # One date-time (or null): its parsed value beside its text, so
            # to_dict knows it unchanged by identity, without parsing again.
            if isinstance(em, DateTime) or isinstance(em, Nullable) and isinstance(
                    em.inner, DateTime):
                hint = f"texts[{len(texts)}:{len(texts) + 2}]"
                texts += [f"obj.{attr}", src]
            else:
                hint = f"texts[{len(texts)}]"
                texts.append(src)
        ann = em.annotation() if f.required else f"{em.annotation()} | Unset"
        views.append(FieldView(attr, f.key, ann, _default(f, attr)))
        if f.required:
            required.append((f.key, em.to_json(f"self.{attr}", hint)))
        else:
            optional.append((attr, f.key, em.to_json(f"self.{attr}", hint)))
    return ClassView(name, doc, views, reads, missing, w.lines(), args, texts, required,
                     optional)


def _parse_field(w: CodeWriter, f: FieldT, src: str) -> str:
    """Statements checking one field; returns the value expression. A required
    field was read into the local `src` already (the class reads them all in one
    `try:`, the cheapest way to read keys that are almost always there); an
    optional one is read here. The local keeps the raw value of a date-time
    field (its original text, for to_dict)."""
    em = w.ctx.emitter(f.type)
    path = JsonPath.of("path").step(path_step(f.key))
    if f.required:
        return em.parse(w, src, path)
    get = f"data.get({literal(f.key)}, _rt.UNSET)"
    body = w.sub()
    if isinstance(f.type, Unknown):
        expr = src
    else:
        guarded = w.child()
        expr = em.parse(guarded, src, path)
        if expr != src and guarded.empty and not em.dated:
            guarded.line(f"{src} = {expr}")
            expr = src
        if expr == src:
            body.guard(f"{src} is not _rt.UNSET", guarded)
        elif guarded.empty:
            expr = f"_rt.UNSET if {src} is _rt.UNSET else {expr}"
        else:
            out = w.scope.claim(f"{src}_value") if em.dated else src
            if em.dated:
                body.line(f"{out}: {em.annotation()} | Unset = _rt.UNSET")
            body.line(f"if {src} is not _rt.UNSET:")
            body.embed(guarded)
            body.embed_line(f"{out} = {expr}")
            expr = out
    if body.bind_first(src, get):
        w.embed_lines(body)
    elif body.empty and not em.dated and expr == src:
        return get
    else:
        w.line(f"{src} = {get}")
        w.embed_lines(body)
    return expr


def _default(f: FieldT, attr: str) -> str:
    meta = f'metadata={{"json_key": {literal(f.key)}}}' if f.key != attr else ""
    if f.required:
        return f" = _field({meta})" if meta else ""
    return f" = _field(default=_rt.UNSET, {meta})" if meta else " = _rt.UNSET"


def dataclass_adapter_view(root: Root, ctx: Context, doc: str) -> AdapterView:
    """The parse routine of a body that is not one object (a list, a union)."""
    em = ctx.emitter(root.node)
    w = CodeWriter(ctx, naming.Scope(reserved=LOCAL_RESERVED), level=2)
    value = em.parse(w, "data", JsonPath.of("path"))
    return AdapterView(root.name, doc, em.annotation(), w.lines(), value,
                       em.to_json("value", None))


DATACLASS = ModelStyle(
    name="dataclass",
    template="models.py.jinja",
    base="_rt.Model",
    decorator="_rt.model",
    reserved=runtime_model_names(),
    class_view=dataclass_class_view,
    adapter_view=dataclass_adapter_view,
)


# -- the msgspec style: msgspec.Struct models that msgspec decodes from bytes -------


def struct_annotation(node: TypeNode, ctx: Context) -> str:
    """A type as msgspec decodes it. Unlike the emitters' annotation, a date-time
    is `str`: its text comes back exactly as it came (msgspec would rewrite
    `+00:00` as `Z`), and `JsonValue` is `Any` when msgspec reads it."""
    if isinstance(node, Unknown):
        return "JsonValue"
    if isinstance(node, Scalar):
        return "str" if node.kind == "datetime" else node.kind
    if isinstance(node, ObjectT):
        return ctx.names[node.uid]
    if isinstance(node, ArrayT):
        return f"list[{struct_annotation(node.item, ctx)}]"
    if isinstance(node, MapT):
        return f"dict[str, {struct_annotation(node.value, ctx)}]"
    if isinstance(node, NullableT):
        return f"{struct_annotation(node.inner, ctx)} | None"
    if isinstance(node, UnionT):
        return " | ".join(struct_annotation(o, ctx) for o in node.options)
    raise TypeError(node)


def struct_class_view(name: str, obj: ObjectT, ctx: Context, style: ModelStyle,
                      doc: str) -> ClassView:
    """Fields of one Struct: msgspec itself decodes, checks and encodes them; a
    field that may be absent holds `UNSET` (msgspec's) then; null stays `None`."""
    attrs = naming.Scope(reserved=naming.RESERVED | style.reserved)
    views, optional, dropped = [], [], []
    for f in obj.fields:
        if not _struct_key(f.key):
            dropped.append(f.key)
            continue
        attr = _field_name(f.key, attrs, style)
        ann = struct_annotation(f.type, ctx)
        keyed = f"name={literal(f.key)}" if f.key != attr else ""
        if f.required:
            default = f" = msgspec.field({keyed})" if keyed else ""
        else:
            ann += " | Unset"
            default = f" = msgspec.field(default=UNSET, {keyed})" if keyed else " = UNSET"
            optional.append((attr, f.key, ""))
        views.append(FieldView(attr, f.key, ann, default))
    if dropped:
        doc += ("\n\nDropped when decoding, as msgspec cannot name them: "
                + ", ".join(json.dumps(k) for k in dropped) + ".")
    return ClassView(name, doc, views, [], "", [], [], [], [], optional)


def _struct_key(key: str) -> bool:
    """Whether msgspec can name a JSON key: it refuses `"`, `\\` and control
    characters in a renamed field (such keys are dropped like unknown keys)."""
    return not any(c in '"\\' or c < " " for c in key)


def struct_adapter_view(root: Root, ctx: Context, doc: str) -> AdapterView:
    """A body that is not one object: its type, which msgspec decodes directly."""
    return AdapterView(root.name, doc, struct_annotation(root.node, ctx), [], "", "")


MSGSPEC = ModelStyle(
    name="msgspec",
    template="models_msgspec.py.jinja",
    base="_Struct",
    decorator="",
    # Methods of the base; names a later field's annotation or default reads
    # in the class body (a field `msgspec` would hide the module there).
    reserved=frozenset({"from_dict", "to_dict", "from_json", "msgspec"}),
    class_view=struct_class_view,
    adapter_view=struct_adapter_view,
)

# The styles this generator writes, by `model_style` name.
STYLES: dict[str, ModelStyle] = {s.name: s for s in (DATACLASS, MSGSPEC)}


def style_for(name: str) -> ModelStyle:
    """The style `Options.model_style` names; one not written yet is a usage error."""
    style = STYLES.get(name)
    if style is None:
        raise GeneratorError(f"model style {name!r} is not available in this version "
                             f"(available: {', '.join(sorted(STYLES))})")
    return style


def _root_docs(pkg: Package) -> dict[int, list[str]]:
    """Type uid -> what it is the body of: `Success body of `v2.job_details` (GET ...)`."""
    docs: dict[int, list[str]] = {}
    for m in pkg.methods():
        for what, root in (("Success", m.response), ("Error", m.error), ("Request", m.request)):
            if root is not None:
                docs.setdefault(root.node.uid, []).append(
                    f"{what} body of `{m.qualname}` ({m.http_method} {_short_url(m)}).")
    return docs


def _short_url(m: Method) -> str:
    """The end of a request's URL, enough to recognise it: `.../write/{{job_id}}`."""
    url = m.url_template.split("?", 1)[0]
    scheme, sep, rest = url.partition("://")
    parts = (rest if sep else scheme).split("/")
    return url if len(parts) <= 2 else ".../" + "/".join(parts[-2:])


def _doc(lines: list[str], fallback: str) -> str:
    if not lines:
        return fallback
    shown = lines[:3] + ([f"... and {len(lines) - 3} more."] if len(lines) > 3 else [])
    return "\n".join(shown)


def model_views(pkg: Package, ctx: Context, style: ModelStyle,
                ) -> tuple[list[ClassView], list[AdapterView], list[Helper]]:
    """Views of every class, adapter and parse helper of the models module."""
    docs = _root_docs(pkg)
    classes = [style.class_view(name, obj, ctx, style,
                                _doc(docs.get(obj.uid, []), f"The object at `{obj.where}`."))
               for name, obj in pkg.classes]
    adapters = []
    for root in pkg.adapters:
        fallback = f"Parse routine of the `{root.hint}` body ({ctx.ann(root.node)})."
        adapters.append(style.adapter_view(root, ctx, _doc(docs.get(root.node.uid, []),
                                                           fallback)))
    return classes, adapters, ctx.sorted_helpers()


def uses_datetime(ctx: Context, pkg: Package) -> bool:
    """Whether the models module names `datetime` in an annotation."""
    nodes = [f.type for _, obj in pkg.classes for f in obj.fields]
    nodes += [r.node for r in pkg.adapters]
    return any("datetime" in ctx.emitter(n).imports() for n in nodes)
