//! YAML text by plain string formatting (the page links no YAML writer): quoted scalars and
//! literal blocks, the only two forms the manifests need.

/// A double-quoted scalar: JSON's string syntax, which YAML's double-quoted style reads alike.
pub(super) fn quoted(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

/// A flow sequence of quoted scalars: `["python3", "-m", "dynamo.frontend"]`.
pub(super) fn list(items: &[String]) -> String {
    format!(
        "[{}]",
        items
            .iter()
            .map(|s| quoted(s))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// A literal block scalar (`|`) holding `text` verbatim, its lines indented by `indent` spaces.
pub(super) fn block(text: &str, indent: usize) -> String {
    let pad = " ".repeat(indent);
    let lines: Vec<String> = text
        .lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("{pad}{l}")
            }
        })
        .collect();
    format!("|\n{}", lines.join("\n"))
}

/// A Kubernetes object name (DNS-1123 label: lowercase letters, digits and `-`, at most 63
/// characters, letters or digits at both ends) made from a model id's last path segment.
pub(super) fn name(model: &str, suffix: &str) -> String {
    let last = model
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(model);
    let mut slug = String::new();
    for c in last.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let room = 63 - suffix.len() - 1;
    let slug: String = slug.trim_matches('-').chars().take(room).collect();
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() {
        suffix.to_string()
    } else {
        format!("{slug}-{suffix}")
    }
}
