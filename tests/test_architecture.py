"""The folder tree is the architecture: layers, no cycles, no flat modules, a torch-free runtime.

Every import statement of the package is read with ``ast`` (function-level imports included, since
they hide cycles as well as module-level ones) and checked against the layers of
``../shared/ARCHITECTURE.md``: a module imports only from its own package and from lower layers.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "translate"
BASE = {"translate", "translate.errors", "translate.registry", "translate.config", "translate.checkpoint", "translate.zoo"}
# lowest first; a package may import itself and anything in a lower layer, nothing else
LAYERS = ["base", "runtime", "nets", "data", "core", "tasks", "export", "inference", "evaluation", "webapp", "cli"]
ENTRY = {"translate.__main__"}  # ``python -m translate``: the top of the house
TORCH_LIKE = {"torch", "torchvision", "torchmetrics", "safetensors", "kornia", "albumentations", "gradio", "onnx",
              "onnxscript", "matplotlib", "tensorboard", "scipy", "yaml"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PKG.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PKG.rglob("*.py"))}


def group(mod: str) -> str:
    """The layer a module belongs to (its sub-package, or ``base``)."""
    if mod in BASE:
        return "base"
    return mod.split(".")[1] if mod.count(".") >= 1 else "base"


def imports_of(mod: str) -> list[tuple[str, int]]:
    """(imported name, line) for every import in ``mod``: translate modules resolved, others top-level."""
    path = MODULES[mod]
    is_pkg = path.name == "__init__.py"
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(a.name, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = mod.split(".") if is_pkg else mod.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for a in node.names:  # ``from pkg import module`` names a module
                sub = f"{target}.{a.name}"
                out.append((sub if sub in MODULES else target, node.lineno))
    return out


def internal(name: str) -> str | None:
    """The translate module an imported name refers to (longest module prefix)."""
    parts = name.split(".")
    while parts:
        cand = ".".join(parts)
        if cand in MODULES:
            return cand
        parts.pop()
    return None


GRAPH = {m: sorted({t for name, _ in imports_of(m) if (t := internal(name)) and t != m}) for m in MODULES}


def test_no_module_flat_at_the_top() -> None:
    flat = sorted(m for m in MODULES if m.count(".") == 1 and m not in BASE | ENTRY and not (PKG / m.split(".")[1]).is_dir())
    assert not flat, f"modules flat at the top of translate/ (each belongs in the folder of its job): {flat}"


def test_every_package_has_a_layer() -> None:
    groups = {group(m) for m in MODULES if m not in ENTRY}
    assert groups <= set(LAYERS), groups - set(LAYERS)


def test_imports_only_go_downward() -> None:
    bad = []
    for m, targets in GRAPH.items():
        if m in ENTRY:
            continue
        rank = LAYERS.index(group(m))
        for t in targets:
            if t in ENTRY or (group(t) != group(m) and LAYERS.index(group(t)) >= rank):
                bad.append(f"{m} -> {t}")
    assert not bad, "imports that go up or sideways:\n" + "\n".join(bad)


def test_no_import_cycles() -> None:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in GRAPH[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in GRAPH:
        if v not in index:
            visit(v)
    assert not cycles, f"import cycles: {cycles}"


@pytest.mark.parametrize("mod", sorted(m for m in MODULES if group(m) == "runtime"))
def test_runtime_imports_nothing_torch_like(mod: str) -> None:
    heavy = sorted({n.split(".")[0] for n, _ in imports_of(mod) if n.split(".")[0] in TORCH_LIKE})
    assert not heavy, f"{mod} imports {heavy}; translate.runtime must stay numpy + pillow + onnxruntime"


def test_the_checker_sees_what_it_should() -> None:
    """The graph resolves relative, package and function-level imports (so the tests above have teeth)."""
    assert "translate.checkpoint" in GRAPH["translate.nets.loading"]  # ``from .. import checkpoint as ckpt``
    assert "translate.export.cache" in GRAPH["translate.inference.translator"]  # imported inside a function
    assert "translate.runtime.onnx" in GRAPH["translate.runtime"]  # package __init__, lazy attribute
