"""Canonical form of a tf2onnx output (used by scripts/derive-landmark-model.sh).

tf2onnx names constants and nodes from a per-run counter and its graph optimiser walks Python
sets, so two runs of the same conversion give the same graph under different names and in a
different node order (different bytes, same computation). This makes the bytes reproducible:
every initializer is named by a hash of its content (unused ones dropped), every node output by
its position in a deterministic topological order (ties broken by op type, canonical inputs and
attributes), nodes are renamed after their position, value_info is dropped (ONNX Runtime
infers shapes itself) and doc strings are cleared (tf2onnx writes the input path there). Graph
input and output names are kept.

    python canonicalize-onnx.py IN.onnx OUT.onnx
"""

import hashlib
import sys

import onnx


def main(src: str, dst: str) -> None:
    model = onnx.load(src)
    g = model.graph
    outputs = {o.name for o in g.output}
    used = {i for n in g.node for i in n.input}
    rename = {i.name: i.name for i in g.input}
    inits = {}
    for t in g.initializer:
        if t.name not in used:
            continue
        old = t.name
        t.name = ""
        new = "w_" + hashlib.sha256(t.SerializeToString(deterministic=True)).hexdigest()[:16]
        t.name = new
        rename[old] = new
        inits[new] = t
    del g.initializer[:]
    g.initializer.extend(inits[k] for k in sorted(inits))

    def key(n):
        attrs = b"".join(
            a.SerializeToString(deterministic=True) for a in sorted(n.attribute, key=lambda a: a.name)
        )
        return (n.op_type, n.domain, [rename.get(i, "") for i in n.input], attrs)

    pending = list(g.node)
    ordered = []
    counter = 0
    while pending:
        ready = [n for n in pending if all((not i) or i in rename for i in n.input)]
        if not ready:
            sys.exit("canonicalize-onnx: the graph references an unknown tensor or has a cycle")
        n = min(ready, key=key)
        pending.remove(n)
        n.input[:] = [rename[i] if i else "" for i in n.input]
        new_outputs = []
        for o in n.output:
            if o not in outputs:
                rename[o] = f"t{counter}"
                counter += 1
            else:
                rename[o] = o
            new_outputs.append(rename[o])
        n.output[:] = new_outputs
        n.name = f"n{len(ordered)}_{n.op_type}"
        ordered.append(n)
    del g.node[:]
    g.node.extend(ordered)
    del g.value_info[:]
    model.doc_string = ""
    g.doc_string = ""
    for n in g.node:
        n.doc_string = ""
    onnx.checker.check_model(model)
    with open(dst, "wb") as f:
        f.write(model.SerializeToString(deterministic=True))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
