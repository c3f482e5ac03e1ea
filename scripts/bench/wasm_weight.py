"""Where a WASM module's code goes: function bodies' bytes by role and by crate.

    python3 wasm_weight.py MODULE.wasm

MODULE is a module as the linker left it (with its name section), before wasm-opt, which
drops the names: the shares, not the bytes, carry over to the shipped module. Names are
demangled with c++filt (binutils).
"""
import collections
import re
import subprocess
import sys


def leb(data, i):
    value = shift = 0
    while True:
        byte = data[i]
        i += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, i


def functions(data):
    """(size, name) of every function body."""
    pos, imported, bodies, names = 8, 0, [], {}
    while pos < len(data):
        section = data[pos]
        size, start = leb(data, pos + 1)
        pos = start + size
        if section == 2:  # imports: function indices start after the imported functions
            count, q = leb(data, start)
            for _ in range(count):
                for _ in range(2):
                    length, q = leb(data, q)
                    q += length
                kind = data[q]
                q += 1
                if kind == 0:
                    _, q = leb(data, q)
                    imported += 1
                elif kind in (1, 2):
                    if kind == 1:
                        q += 1
                    flags = data[q]
                    _, q = leb(data, q + 1)
                    if flags & 1:
                        _, q = leb(data, q)
                else:
                    q += 2
        elif section == 10:  # code
            count, q = leb(data, start)
            for _ in range(count):
                length, body = leb(data, q)
                bodies.append(body - q + length)
                q = body + length
        elif section == 0:  # custom: the name section's function names
            length, q = leb(data, start)
            if data[q:q + length] != b"name":
                continue
            q += length
            while q < pos:
                sub = data[q]
                sub_size, r = leb(data, q + 1)
                if sub == 1:
                    count, s = leb(data, r)
                    for _ in range(count):
                        index, s = leb(data, s)
                        length, s = leb(data, s)
                        names[index] = data[s:s + length].decode("utf8", "replace")
                        s += length
                q = r + sub_size
    mangled = [names.get(imported + i, "?").replace("\n", " ") for i in range(len(bodies))]
    plain = subprocess.run(["c++filt"], input="\n".join(mangled), capture_output=True,
                           text=True, check=True).stdout.split("\n")
    for escape, char in (("$LT$", "<"), ("$GT$", ">"), ("$u20$", " "), ("$C$", ","),
                         ("$RF$", "&"), ("..", "::"), ("$u7b$", "{"), ("$u7d$", "}"), ("$BP$", "*")):
        plain = [p.replace(escape, char) for p in plain]
    return [(size, re.sub(r"::h[0-9a-f]{16}$", "", name)) for size, name in zip(bodies, plain)]


# Roles, the first that matches a function's name wins.
ROLES = [
    ("decoding JSON (serde_json)", "serde_json::de"),
    ("decoding forms (serde_qs)", "serde_qs::de"),
    ("other deserialize", "::deserialize"),
    ("hydrating views", "hydrate"),
    ("building and updating views", "::build"),
    ("building and updating views", "::rebuild"),
    ("views as AnyView", "into_any"),
    ("dropping values", "drop_in_place"),
    ("formatting", "fmt::"),
    ("reactive system (signals, effects, resources)", "reactive_graph"),
    ("server functions", "server_fn"),
    ("router", "leptos_router"),
    ("futures and tasks", "future"),
    ("allocation and collections", "alloc::"),
]


def main(path):
    fns = functions(open(path, "rb").read())
    total = sum(size for size, _ in fns)
    roles = collections.Counter()
    crates = collections.Counter()
    for size, name in fns:
        roles[next((role for role, part in ROLES if part in name), "the rest")] += size
        crate = re.match(r"[<&\s_]*(?:dyn |mut )?(?:&mut )?([A-Za-z_][A-Za-z0-9_]*)", name)
        crates[crate.group(1) if crate else "?"] += size
    print("%s: %d bytes of code in %d functions" % (path.rsplit("/", 1)[-1], total, len(fns)))
    print("| role | bytes | share |")
    print("|---|---:|---:|")
    for role, size in roles.most_common():
        print("| %s | %d | %.1f%% |" % (role, size, 100 * size / total))
    print("| crate (by the first name in a function's path) | bytes | share |")
    print("|---|---:|---:|")
    for crate, size in crates.most_common(12):
        print("| %s | %d | %.1f%% |" % (crate, size, 100 * size / total))


if __name__ == "__main__":
    main(sys.argv[1])
