//! The page's entry point (built by Trunk from `index.html` with the `web` feature).

fn main() {
    planner_app::ui::start();
}
