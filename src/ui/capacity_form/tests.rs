//! The capacity card: the scenario's `capacity` it writes, the message per field, the share
//! link both ways (over a grid of cards, valid and not), and the check that adds it to the
//! scenario.

use super::*;
use serde_json::json;

fn card(edits: Vec<CapacityEdit>) -> CapacityForm {
    edits.into_iter().fold(CapacityForm::default(), |c, e| c.apply(e))
}

#[test]
fn a_valid_card_writes_format_md_capacity() {
    let c = card(vec![
        CapacityEdit::Target("30".into()),
        CapacityEdit::AllGpus(false, vec!["h200-sxm".into()]),
        CapacityEdit::Gpu("b200".into(), true),
        CapacityEdit::MaxGpus("1024".into()),
        CapacityEdit::Price("h200-sxm".into(), "3.1".into()),
        CapacityEdit::SweepVariable("request_rate".into()),
        CapacityEdit::SweepValues("10, 20 40".into()),
    ]);
    let (value, errors) = c.capacity_value();
    assert!(errors.is_empty(), "{errors:?}");
    let expected = json!({
        "target": {"request_rate": 30},
        "gpus": ["h200-sxm", "b200"],
        "max_gpus": 1024,
        "prices": {"h200-sxm": 3.1},
        "price_level": "typical",
        "sweep": {"variable": "request_rate", "values": [10, 20, 40]}
    });
    assert_eq!(value, expected, "expected {expected}, actual {value}");
}

#[test]
fn each_bad_figure_is_a_message_at_its_field() {
    let c = card(vec![
        CapacityEdit::Target("12a".into()),
        CapacityEdit::MaxGpus("2.5".into()),
        CapacityEdit::Price("b200".into(), "-1".into()),
        CapacityEdit::SweepVariable("isl".into()),
        CapacityEdit::SweepValues("1024, x".into()),
    ]);
    let (value, errors) = c.capacity_value();
    let ids: Vec<&str> = errors.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, ["capacity-target", "capacity-max-gpus", "capacity-price-b200", "capacity-sweep-values"], "{errors:?}");
    assert!(errors[3].1.contains("“x”"), "the sweep's message names the bad value: {}", errors[3].1);
    assert_eq!(value["target"]["request_rate"], json!("12a"), "a bad figure stays as typed");
    let empty = card(vec![CapacityEdit::SweepVariable("osl".into())]).capacity_value().1;
    assert_eq!(empty.len(), 1, "a sweep without values asks for them: {empty:?}");
}

#[test]
fn planner_errors_land_on_the_field_they_name() {
    let cases = [
        ("capacity.target.request_rate", "capacity-target"),
        ("capacity.target", "capacity-target"),
        ("capacity", "capacity-target"),
        ("capacity.gpus[2]", "capacity-gpus"),
        ("capacity.max_gpus", "capacity-max-gpus"),
        ("capacity.prices.b200", "capacity-price-b200"),
        ("capacity.price_level", "capacity-price-level"),
        ("capacity.sweep.values[3]", "capacity-sweep-values"),
    ];
    for (field, id) in cases {
        assert_eq!(CapacityField::for_scenario_field(field).id(), id, "{field}");
    }
}

/// Every card of a grid (each field valid, invalid or empty) reads back from its link as
/// itself: a link reproduces the card, its invalid values included.
#[test]
fn every_card_of_a_grid_survives_its_link() {
    let targets = ["30", "2e9", "0.50", " 7", "12a", ""];
    let kinds = ["request_rate", "tokens_per_day"];
    let gpus: [Option<Vec<String>>; 3] = [None, Some(vec![]), Some(vec!["b200".into(), "h100-sxm".into()])];
    let maxes = ["", "64", "x"];
    let prices: [Vec<(String, String)>; 4] =
        [vec![], vec![("b200".into(), "4.5".into())], vec![("b200".into(), "4.50".into())], vec![("h100-sxm".into(), "two".into())]];
    let sweeps = [("", ""), ("isl", "1024, 2048"), ("isl", "1024 2048"), ("request_rate", "10, y"), ("osl", "")];
    let mut count = 0;
    for target in targets {
        for kind in kinds {
            for g in &gpus {
                for max in maxes {
                    for p in &prices {
                        for (variable, values) in sweeps {
                            let c = CapacityForm {
                                target_kind: kind.into(),
                                target: target.into(),
                                gpus: g.clone(),
                                max_gpus: max.into(),
                                price_level: "high".into(),
                                prices: p.clone(),
                                sweep_variable: variable.into(),
                                sweep_values: if variable.is_empty() { String::new() } else { values.into() },
                            };
                            let back = CapacityForm::from_link(&c.to_link()).expect("a card");
                            assert_eq!(back, c, "the card through its link {}", c.to_link());
                            count += 1;
                        }
                    }
                }
            }
        }
    }
    assert_eq!(count, 6 * 2 * 3 * 3 * 4 * 5);
    let plain = card(vec![CapacityEdit::Target("30".into())]);
    assert_eq!(plain.to_link(), plain.capacity_value().0.to_string(), "a plainly typed card's link is its scenario field");
    let values = r#"{"target":{"request_rate":1},"sweep":{"variable":"","values":[8]}}"#;
    assert_eq!(CapacityForm::from_link(values).map(|c| c.sweep_values), Some(String::new()), "values without a variable: no sweep");
    assert_eq!(CapacityForm::from_link("[1]"), None, "not an object: no card");
    assert_eq!(CapacityForm::from_link("{"), None, "not JSON: no card");
}

#[test]
fn the_check_puts_the_card_into_the_scenario_and_its_echo() {
    let form = FormState::default();
    let c = card(vec![CapacityEdit::Target("30".into())]);
    let query = check_with_capacity(&form, None, Some(&c)).expect("valid");
    let (value, _) = c.capacity_value();
    assert_eq!(query.scenario.capacity.as_ref(), Some(&value));
    assert_eq!(query.inputs.scenario.get("capacity"), Some(&value), "the plan's scenario echo carries it");
    let without = check_with_capacity(&form, None, None).expect("valid");
    assert_eq!(without.scenario.capacity, None);
    let bad = card(vec![CapacityEdit::Target("-3".into())]);
    let errors = check_with_capacity(&form, None, Some(&bad)).expect_err("a bad target");
    assert_eq!(errors.capacity_message("capacity-target"), Some("Must be above 0."));
    assert_eq!(errors.len(), 1);
}
