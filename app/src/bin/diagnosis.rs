//! The self-diagnosis part's entry point (`diagnosis/index.html`): mounts it on `<body>`.

fn main() {
    app::diagnosis::mount();
}
