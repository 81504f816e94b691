#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Keeps the man pages in step with `nettune --help`.

For every command group `nettune --help` lists, man/nettune-GROUP.8.rst
must exist and name every subcommand (at any depth), every long option
(--foo) and every keyword the help texts show; the global options must be
in man/nettune.8.rst. Every page needs the sections of the convention.
The experiments `nettune exp list` names are arguments, not subcommands:
man/nettune-exp.8.rst must name each of them too.
Prints exactly what is missing, where, and exits 1; exits 0 otherwise.

    check_man_pages.py NETTUNE_BINARY MAN_DIR

Reads the help format of CLI11 2.1.2: sections "Options:", "Positionals:",
"Subcommands:", each entry on a line indented by two spaces, its
description after a column or, for a long name, on the next lines
indented further.
"""
import json
import os
import re
import subprocess
import sys

# NAME is rst2man's: the title (the page's name) over a subtitle.
SECTIONS = ["SYNOPSIS", "DESCRIPTION", "COMMANDS", "OPTIONS",
            "EXIT STATUS", "EXAMPLES", "SEE ALSO"]
WORD = r"[a-z][a-z0-9_-]*"


def run_help(binary, words):
    cmd = [binary] + words + ["--help"]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    if res.returncode != 0:
        raise RuntimeError(f"'{' '.join(cmd)}' exited {res.returncode}: {res.stderr.strip()}")
    return res.stdout


def parse_help(text):
    """{'options': [...], 'positionals': [...], 'subcommands': [...]}:
    each entry (name, description), continuation lines joined. Sections
    may be indented (CLI11 option groups: '[Option Group: x]' then
    '  Options:'); entries sit two spaces deeper than their header."""
    parsed = {"options": [], "positionals": [], "subcommands": []}
    section, indent = None, 2
    for line in text.splitlines():
        header = re.match(r"^( *)(Options|Positionals|Subcommands):\s*$", line)
        if header:
            section, indent = header.group(2).lower(), len(header.group(1)) + 2
            continue
        if section is None or not line.strip():
            continue
        depth = len(line) - len(line.lstrip(" "))
        if depth < indent:  # a line left of the entries ends the section
            section = None
            continue
        if depth > indent:  # continuation of a description
            if parsed[section]:
                name, desc = parsed[section][-1]
                parsed[section][-1] = (name, (desc + " " + line.strip()).strip())
            continue
        entry = re.match(r"^(\S.*?)(?:\s{2,}(.*))?$", line.strip())
        parsed[section].append((entry.group(1), entry.group(2) or ""))
    return parsed


def long_options(entries):
    """--foo of lines such as '-s,--stats', '--watch FLOAT', '--key TEXT'."""
    names = []
    for head, _ in entries:
        first = head.split()[0]
        names += [n for n in first.split(",") if n.startswith("--") and n != "--help"]
    return names


def keywords(descriptions):
    """ip-style keywords the help texts show: the word of '[word VALUE]' or
    '[word|...', each alternative of 'a|b', and, in 'a X | b Y | c'
    alternatives, each lowercase word followed by a placeholder (X, P[-Q],
    (4-tuple)) or ending its alternative."""
    found = []
    for desc in descriptions:
        found += re.findall(r"\[(" + WORD + r")[ |]", desc)
        for group in re.findall(WORD + r"(?:\|" + WORD + r")+", desc):
            found += group.split("|")
        if " | " not in desc:
            continue
        for item in desc.split(" | "):
            tokens = item.split()
            for i, tok in enumerate(tokens):
                last = i + 1 == len(tokens)
                if re.fullmatch(WORD, tok) and (last or not re.fullmatch(WORD, tokens[i + 1])):
                    found.append(tok)
    return found


def experiment_names(binary):
    """The names `nettune --json exp list` gives (what `exp run` takes)."""
    cmd = [binary, "--json", "exp", "list"]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    if res.returncode != 0:
        raise RuntimeError(f"'{' '.join(cmd)}' exited {res.returncode}: {res.stderr.strip()}")
    return [e["name"] for e in json.loads(res.stdout)]


def walk(binary, words):
    """Subcommand paths, long options and keywords below `nettune WORDS`."""
    parsed = parse_help(run_help(binary, words))
    subcommands, options, kws = [], long_options(parsed["options"]), []
    kws += keywords([d for _, d in parsed["subcommands"] + parsed["positionals"] + parsed["options"]])
    for entry, _ in parsed["subcommands"]:
        # 'show, list': a subcommand and its aliases, each to be documented
        names = [n.strip() for n in entry.split(",")]
        subcommands += names
        sub_cmds, sub_opts, sub_kws = walk(binary, words + [names[0]])
        subcommands += sub_cmds
        options += sub_opts
        kws += sub_kws
    return subcommands, options, kws


def mentions(text, word):
    return re.search(r"(?<![\w-])" + re.escape(word) + r"(?![\w-])", text) is not None


def missing_sections(text, page_name):
    missing = []
    if not re.search(r"^=+\n" + re.escape(page_name) + r"\n=+\n+-+\n.+\n-+$", text, re.M):
        missing.append(f"NAME (title '{page_name}' between '=' lines, then a subtitle between '-' lines)")
    return missing + [s for s in SECTIONS
                      if not re.search(r"^" + re.escape(s) + r"\n[=\-~^\"']{3,}$", text, re.M)]


def unique(items):
    return list(dict.fromkeys(items))


def check_page(path, what):
    """Problems of one page: `what` is [(kind, [names])]."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    problems = []
    sections = missing_sections(text, os.path.basename(path)[:-len(".8.rst")])
    if sections:
        problems.append(f"{path}: missing sections: {', '.join(sections)}")
    for kind, names in what:
        absent = [n for n in unique(names) if not mentions(text, n)]
        if absent:
            problems.append(f"{path}: missing {kind}: {', '.join(absent)}")
    return problems


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    binary, man_dir = sys.argv[1], sys.argv[2]
    top = parse_help(run_help(binary, []))
    problems = check_page(os.path.join(man_dir, "nettune.8.rst"),
                          [("global options", long_options(top["options"])),
                           ("command groups", [n for n, _ in top["subcommands"]])])
    groups = [n for n, _ in top["subcommands"]]
    for group in groups:
        page = os.path.join(man_dir, f"nettune-{group}.8.rst")
        if not os.path.exists(page):
            problems.append(f"{page}: no man page for command group '{group}' "
                            f"(write man/nettune-{group}.8.rst)")
            continue
        subcommands, options, kws = walk(binary, [group])
        what = [("subcommands", subcommands), ("long options", options), ("keywords", kws)]
        if group == "exp":
            what.append(("experiments", experiment_names(binary)))
        problems += check_page(page, what)
    for p in problems:
        print(p)
    print(f"check_man_pages: {len(groups)} groups, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
