//! The SPA's entry point: mounts the app on `<body>`.

fn main() {
    app::mount();
}
