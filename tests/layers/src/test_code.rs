//! Which code is test code: an item, a module or a file under a `cfg` that holds only when
//! testing (`#[cfg(test)]`, `#[cfg(all(test, …))]`).
//!
//! Design decision: every other `cfg` (features, target architectures) counts as compiled, so
//! the page's `#[cfg(feature = "web")]` code and the native-only code are both checked.

use syn::{Attribute, Item, Meta};

/// Whether `attrs` hold a `cfg` that is false outside tests.
pub fn is_test_only(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|attr| {
        attr.path().is_ident("cfg") && attr.parse_args::<Meta>().is_ok_and(|predicate| requires_test(&predicate))
    })
}

/// The attributes of an item, whatever its kind.
pub fn item_attrs(item: &Item) -> &[Attribute] {
    match item {
        Item::Const(i) => &i.attrs,
        Item::Enum(i) => &i.attrs,
        Item::ExternCrate(i) => &i.attrs,
        Item::Fn(i) => &i.attrs,
        Item::ForeignMod(i) => &i.attrs,
        Item::Impl(i) => &i.attrs,
        Item::Macro(i) => &i.attrs,
        Item::Mod(i) => &i.attrs,
        Item::Static(i) => &i.attrs,
        Item::Struct(i) => &i.attrs,
        Item::Trait(i) => &i.attrs,
        Item::TraitAlias(i) => &i.attrs,
        Item::Type(i) => &i.attrs,
        Item::Union(i) => &i.attrs,
        Item::Use(i) => &i.attrs,
        _ => &[],
    }
}

/// `test` requires a test build; `all(…)` does when any part does, `any(…)` when every part
/// does; `not(…)` and everything else never do.
fn requires_test(predicate: &Meta) -> bool {
    match predicate {
        Meta::Path(path) => path.is_ident("test"),
        Meta::List(list) if list.path.is_ident("all") || list.path.is_ident("any") => {
            let parts = list.parse_args_with(syn::punctuated::Punctuated::<Meta, syn::Token![,]>::parse_terminated);
            match parts {
                Ok(parts) if list.path.is_ident("all") => parts.iter().any(requires_test),
                Ok(parts) => !parts.is_empty() && parts.iter().all(requires_test),
                Err(_) => false,
            }
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(text: &str) -> Vec<Attribute> {
        syn::parse_str::<syn::ItemFn>(&format!("{text} fn f() {{}}")).expect("an attributed function").attrs
    }

    #[test]
    fn cfgs_that_hold_only_in_tests_are_test_code() {
        let cases = [
            ("#[cfg(test)]", true),
            ("#[cfg(all(test, not(target_arch = \"wasm32\")))]", true),
            ("#[cfg(any(test, feature = \"web\"))]", false),
            ("#[cfg(any(test, all(test, unix)))]", true),
            ("#[cfg(not(test))]", false),
            ("#[cfg(feature = \"web\")]", false),
            ("#[inline] #[cfg(test)]", true),
            ("#[test]", false),
        ];
        for (text, expected) in cases {
            assert_eq!(is_test_only(&attrs(text)), expected, "{text}: expected test-only = {expected}");
        }
    }
}
