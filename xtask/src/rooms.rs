//! The code's rooms, checked (`tidy`): no two files of a crate depend on each other, directly or
//! around a loop, and the SPA names its pages only through `app/src/routes.rs`.
//!
//! "Depends" means a path in code outside comments and `#[cfg(test)]` modules: `crate::a::b`,
//! `super::c`, `use crate::{a::{self, B}, c}`. Each path is resolved to the deepest module file
//! it reaches; the crate's root (`lib.rs`, `main.rs`) is left out, since it declares every
//! module. This is a reader of Rust's path syntax, not of Rust: a hand-written scan is enough for
//! `use` trees and paths, and no crate offers module graphs without building the code.

use std::{
    collections::{BTreeMap, BTreeSet},
    path::Path,
};

/// The crates whose modules are checked.
const CRATES: [&str; 8] = [
    "jpki",
    "protocol",
    "virtual-card",
    "bridge",
    "server",
    "app",
    "tests",
    "xtask",
];

/// Problems found: each loop of files, and each page path written outside the routes module.
pub fn problems(root: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for krate in CRATES {
        let src = root.join(krate).join("src");
        for cycle in cycles(&modules(&src)) {
            found.push(format!(
                "{krate}/src: these modules import each other: {}",
                cycle.join(" ⇄ ")
            ));
        }
    }
    found.extend(page_paths(root));
    found
}

/// Every module file under `src` (not `bin/`), by its module path (`a::b`), with its code.
fn modules(src: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                if path.file_name().is_some_and(|n| n != "bin") {
                    stack.push(path);
                }
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let Ok(relative) = path.strip_prefix(src) else {
                continue;
            };
            let mut name = relative
                .with_extension("")
                .to_string_lossy()
                .replace(std::path::MAIN_SEPARATOR, "::");
            if let Some(parent) = name.strip_suffix("::mod") {
                name = parent.to_owned();
            }
            if name == "lib" || name == "main" {
                continue;
            }
            if let Ok(text) = std::fs::read_to_string(&path) {
                out.insert(name, code_of(&text));
            }
        }
    }
    out
}

/// The text without comments and without what follows the first `#[cfg(test)]`.
fn code_of(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or(text);
    text.lines()
        .map(|line| match line.find("//") {
            // A `//` inside a string ("https://…") is not a comment.
            Some(at) if line[..at].matches('"').count() % 2 == 0 => &line[..at],
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The module paths that `code` names after `crate::` or `super::`, as segment lists relative
/// to the crate's root.
fn paths(module: &str, code: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for (keyword, base) in [("crate::", Vec::new()), ("super::", parent(module))] {
        let mut from = 0;
        while let Some(at) = code[from..].find(keyword) {
            let start = from + at;
            from = start + keyword.len();
            let before = code[..start].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            tree(&code[from..], &base, &mut out);
        }
    }
    out
}

fn parent(module: &str) -> Vec<String> {
    let mut segments: Vec<String> = module.split("::").map(str::to_owned).collect();
    segments.pop();
    segments
}

/// Reads one use tree (`a::b`, `a::{b, c::d}`, `a::*`) at the start of `text` onto `prefix`.
fn tree(text: &str, prefix: &[String], out: &mut Vec<Vec<String>>) -> usize {
    let mut path = prefix.to_vec();
    let mut i = 0;
    let bytes = text.as_bytes();
    loop {
        if text[i..].starts_with('{') {
            i += 1;
            loop {
                while text[i..].starts_with([' ', '\n', ',']) {
                    i += 1;
                }
                if i >= text.len() || text[i..].starts_with('}') {
                    return i + 1;
                }
                let used = tree(&text[i..], &path, out);
                if used == 0 {
                    return i;
                }
                i += used;
            }
        }
        let start = i;
        while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
            i += 1;
        }
        if i > start && &text[start..i] != "self" {
            path.push(text[start..i].to_owned());
        }
        if text[i..].starts_with("::") {
            i += 2;
            continue;
        }
        out.push(path);
        return i;
    }
}

/// The deepest module file that `path` reaches, if any.
fn resolve(modules: &BTreeMap<String, String>, path: &[String]) -> Option<String> {
    (1..=path.len())
        .rev()
        .map(|n| path[..n].join("::"))
        .find(|name| modules.contains_key(name))
}

/// Each set of module files that depend on each other (Tarjan's strongly connected components).
fn cycles(modules: &BTreeMap<String, String>) -> Vec<Vec<String>> {
    let mut edges: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for (name, code) in modules {
        let targets = paths(name, code)
            .iter()
            .filter_map(|path| resolve(modules, path))
            .filter(|target| target != name)
            .collect();
        edges.insert(name, targets);
    }
    let mut state = Tarjan::default();
    for name in modules.keys() {
        if !state.index.contains_key(name) {
            state.visit(name, &edges);
        }
    }
    state.found
}

#[derive(Default)]
struct Tarjan {
    index: BTreeMap<String, usize>,
    low: BTreeMap<String, usize>,
    stack: Vec<String>,
    next: usize,
    found: Vec<Vec<String>>,
}

impl Tarjan {
    fn visit(&mut self, name: &str, edges: &BTreeMap<&str, BTreeSet<String>>) {
        self.index.insert(name.to_owned(), self.next);
        self.low.insert(name.to_owned(), self.next);
        self.next += 1;
        self.stack.push(name.to_owned());
        for target in edges.get(name).into_iter().flatten() {
            if !self.index.contains_key(target) {
                self.visit(target, edges);
                let low = self.low[name].min(self.low[target]);
                self.low.insert(name.to_owned(), low);
            } else if self.stack.contains(target) {
                let low = self.low[name].min(self.index[target]);
                self.low.insert(name.to_owned(), low);
            }
        }
        if self.low[name] == self.index[name] {
            let mut component = Vec::new();
            while let Some(top) = self.stack.pop() {
                let done = top == name;
                component.push(top);
                if done {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                self.found.push(component);
            }
        }
    }
}

/// A page path written in `app/src` outside `routes.rs` (and `api.rs`, whose paths are the
/// API's), or a route's `path!` that `protocol::site` does not list.
fn page_paths(root: &Path) -> Vec<String> {
    let site = std::fs::read_to_string(root.join("protocol/src/site.rs")).unwrap_or_default();
    let routes: BTreeSet<&str> = literals(&site).collect();
    let mut found = Vec::new();
    for (name, code) in modules(&root.join("app/src")) {
        if name == "routes" || name == "api" {
            continue;
        }
        for line in code.lines().filter(|l| !l.contains("OUT_DIR")) {
            for literal in literals(line) {
                let in_route = line.contains(&format!("path!(\"{literal}\")"));
                if in_route && !routes.contains(literal) {
                    found.push(format!(
                        "app/src/{name}: the route {literal} is not in protocol::site"
                    ));
                } else if !in_route {
                    found.push(format!(
                        "app/src/{name}: the path {literal} is written out (name it in routes.rs)"
                    ));
                }
            }
        }
    }
    // The portal's routes are in `lib.rs`, which `modules` leaves out.
    let lib = code_of(&std::fs::read_to_string(root.join("app/src/lib.rs")).unwrap_or_default());
    for literal in lib
        .lines()
        .filter(|l| !l.contains("OUT_DIR"))
        .flat_map(literals)
    {
        if !routes.contains(literal) {
            found.push(format!(
                "app/src/lib.rs: the route {literal} is not in protocol::site"
            ));
        }
    }
    found
}

/// String literals that start with `/`, without their quotes.
fn literals(text: &str) -> impl Iterator<Item = &str> {
    text.split('"')
        .skip(1)
        .step_by(2)
        .filter(|s| s.starts_with('/') && !s.starts_with("//"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(files: &[(&str, &str)]) -> BTreeMap<String, String> {
        files
            .iter()
            .map(|(name, code)| ((*name).to_owned(), code_of(code)))
            .collect()
    }

    #[test]
    fn a_loop_through_use_trees_and_super_is_found() {
        let modules = graph(&[
            ("a", "use crate::{b::{self, X}, c};"),
            ("b", "fn f() { super::d::g() }"),
            ("c", ""),
            ("d", "// crate::a in a comment\nuse crate::a::Y;"),
        ]);
        assert_eq!(cycles(&modules), vec![vec!["a", "b", "d"]]);
    }

    #[test]
    fn submodules_and_test_code_make_no_loop() {
        let modules = graph(&[
            (
                "flow",
                "pub mod step; pub use step::Step; use crate::parts::text;",
            ),
            ("flow::step", "use crate::parts::{text::tx, dialog};"),
            ("parts::text", ""),
            ("parts::dialog", "use super::text::tx;"),
            (
                "x",
                "use crate::flow::step::Step;\n#[cfg(test)]\nmod tests { use crate::y; }",
            ),
            ("y", "use crate::x;"),
        ]);
        assert!(cycles(&modules).is_empty(), "{:?}", cycles(&modules));
    }

    #[test]
    fn the_repository_has_no_loops_and_no_stray_page_paths() {
        let found = problems(&crate::project_root());
        assert!(found.is_empty(), "{found:#?}");
    }
}
