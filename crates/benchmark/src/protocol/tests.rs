//! The worker's messages survive JSON both ways, and `serve` answers every kind of request as
//! the planner's own functions do. JSON numbers are read back to the nearest double or its
//! neighbour (serde_json without `float_roundtrip`, which the page does not pay for), so values
//! are compared with a relative tolerance of 1e-12.

use super::*;
use planner::evaluate::evaluate;
use serde_json::Value;

/// `a` and `b` as JSON: equal, numbers within 1e-12 of each other (relative).
fn close(a: &impl Serialize, b: &impl Serialize) -> bool {
    fn same(a: &Value, b: &Value) -> bool {
        match (a, b) {
            (Value::Number(x), Value::Number(y)) => {
                let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
                (x - y).abs() <= 1e-12 * x.abs().max(y.abs())
            }
            (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y)),
            (Value::Object(x), Value::Object(y)) => {
                x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
            }
            _ => a == b,
        }
    }
    same(&serde_json::to_value(a).unwrap(), &serde_json::to_value(b).unwrap())
}

/// The page's opening scenario: LLaMA-7B on 1 × 4 A100 80GB, 8 in flight.
const SCENARIO: &str = r#"{"model": "huggyllama/llama-7b", "gpu": "a100-sxm-80gb", "nodes": 1, "gpus_per_node": 4,
    "workload": {"isl": 1024, "osl": 256, "concurrency": 8}, "priority": "throughput"}"#;

fn scenario() -> ScenarioInput {
    ScenarioInput::from_json(SCENARIO).unwrap()
}

/// The scenario as the page sends it: the plan's echo, every default filled in.
fn echoed() -> Value {
    resolve(&scenario()).unwrap().scenario
}

/// The planner's CSV for the plan's `n` best layouts at 8 in flight, measured at `speed` × the
/// prediction.
fn csv(n: usize, speed: f64) -> String {
    let inputs = resolve(&scenario()).unwrap();
    let plan = plan_inputs(&inputs).unwrap();
    let mut csv = "tp,pp,dp,ep,concurrency,output_tok_s,ttft_ms,tpot_ms\n".to_string();
    for &i in plan.ranking.iter().take(n) {
        let l = plan.candidates[i].layout;
        let p = *evaluate(&inputs, l).point().unwrap();
        csv.push_str(&format!("{},{},{},{},8,{},{},{}\n", l.tp, l.pp, l.dp, l.ep, p.output_tok_s * speed, p.ttft.ms() / speed, p.tpot.ms() / speed));
    }
    csv
}

/// `serve` on `request`, read back.
fn served(request: &Request) -> Reply {
    let text = serve(&serde_json::to_string(request).unwrap());
    serde_json::from_str(&text).unwrap()
}

fn runs(n: usize, speed: f64) -> Vec<MeasuredRun> {
    import("runs.csv", &csv(n, speed)).unwrap()
}

/// The runs as the page holds them: their JSON text.
fn texts(runs: &[MeasuredRun]) -> Vec<String> {
    runs.iter().map(|r| RunView::new(r).json).collect()
}

#[test]
fn requests_and_replies_survive_json() {
    let asks = [
        Ask::Script { scenario: echoed(), top_n: 3 },
        Ask::Import { files: vec![FileText { name: "a.csv".into(), text: "x,y\n1,2".into() }] },
        Ask::Compare { scenario: echoed(), runs: texts(&runs(2, 0.8)) },
        Ask::Recalibrate { scenario: echoed(), runs: texts(&runs(3, 0.6)) },
    ];
    for (id, ask) in asks.into_iter().enumerate() {
        let request = Request { id: id as u32, ask };
        let text = serde_json::to_string(&request).unwrap();
        // The page writes what the derived writer writes.
        let written: Value = serde_json::from_str(&page::request(request.id, &request.ask)).unwrap();
        assert_eq!(written, serde_json::from_str::<Value>(&text).unwrap());
        assert!(close(&serde_json::from_str::<Request>(&text).unwrap(), &request), "{text}");
        let reply = Reply { id: request.id, answer: answer(&request.ask) };
        let text = serde_json::to_string(&reply).unwrap();
        let derived = serde_json::from_str::<Reply>(&text).unwrap();
        assert!(close(&derived, &reply), "{text}");
        // The page's reader gives what the derived one does.
        assert_eq!(page::reply(&text), Ok(derived), "{text}");
    }
    let unreadable = Reply { id: 9, answer: Answer::Unreadable("why".into()) };
    assert_eq!(page::reply(&serde_json::to_string(&unreadable).unwrap()), Ok(unreadable));
}

#[test]
fn a_malformed_reply_is_an_error_naming_the_field_not_a_panic() {
    let reply = Reply { id: 4, answer: answer(&Ask::Recalibrate { scenario: echoed(), runs: texts(&runs(3, 0.6)) }) };
    let good: Value = serde_json::to_value(&reply).unwrap();
    let mut bad = good.clone();
    bad["answer"]["Recalibrate"]["Ok"]["measurements"][1]["before"]["output_tok_s_per_gpu"]["measured"] = "x".into();
    assert_eq!(
        page::reply(&bad.to_string()).unwrap_err(),
        r#"answer: measurements: [1]: before: output_tok_s_per_gpu: measured: expected a number, got "x""#
    );
    let mut missing = good.clone();
    missing["answer"]["Recalibrate"]["Ok"].as_object_mut().unwrap().remove("loss_after");
    assert!(page::reply(&missing.to_string()).unwrap_err().starts_with("answer: loss_after: expected a number, got null"));
    for text in ["", "{", "[]", "{\"id\": -1, \"answer\": {\"Unreadable\": \"\"}}", "{\"id\": 1, \"answer\": {\"Nope\": 1}}",
        "{\"id\": 1, \"answer\": {\"Script\": {\"Ok\": 1, \"Err\": 2}}}", "{\"id\": 1, \"answer\": {\"Import\": [7]}}"] {
        assert!(page::reply(text).is_err(), "{text}");
    }
}

#[test]
fn the_script_is_the_planners_script() {
    let reply = served(&Request { id: 7, ask: Ask::Script { scenario: echoed(), top_n: 2 } });
    assert_eq!(reply.id, 7);
    let expected = script(&resolve(&scenario()).unwrap(), 2).unwrap();
    assert_eq!(reply.answer, Answer::Script(Ok(expected)));
}

#[test]
fn a_bad_scenario_is_an_error_naming_the_field() {
    let mut bad = echoed();
    bad["nodes"] = 0.into();
    let reply = served(&Request { id: 1, ask: Ask::Script { scenario: bad, top_n: 1 } });
    let Answer::Script(Err(e)) = reply.answer else { panic!("{reply:?}") };
    assert_eq!(e.field, "nodes");
}

#[test]
fn every_file_gets_its_outcome_in_order() {
    let files = vec![
        FileText { name: "runs.csv".into(), text: csv(2, 1.0) },
        FileText { name: "empty.json".into(), text: String::new() },
    ];
    let reply = served(&Request { id: 2, ask: Ask::Import { files } });
    let Answer::Import(outcomes) = reply.answer else { panic!("{reply:?}") };
    assert_eq!(outcomes.len(), 2);
    assert_eq!(outcomes[0].name, "runs.csv");
    assert_eq!(outcomes[0].error, None);
    // Each run's JSON is the run.
    let read: Vec<MeasuredRun> = outcomes[0].runs.iter().map(|r| serde_json::from_str(&r.json).unwrap()).collect();
    assert!(close(&read, &runs(2, 1.0)));
    assert_eq!(outcomes[0].runs[0].requests, Some(8));
    assert!(outcomes[1].runs.is_empty() && outcomes[1].error.as_ref().unwrap().contains("the file is empty"), "{outcomes:?}");
}

#[test]
fn the_comparison_is_match_to_plan_with_the_chart_pairing() {
    let runs = runs(2, 0.5);
    let reply = served(&Request { id: 3, ask: Ask::Compare { scenario: echoed(), runs: texts(&runs) } });
    let Answer::Compare(Ok(report)) = reply.answer else { panic!("{reply:?}") };
    let inputs = resolve(&scenario()).unwrap();
    let expected = match_to_plan(&inputs, &runs).unwrap();
    let unmarked: Vec<RunCheck> = report.runs.iter().map(|r| RunCheck { beside: None, ..r.clone() }).collect();
    assert!(close(&unmarked, &expected.comparisons.iter().map(RunCheck::from).collect::<Vec<_>>()));
    assert_eq!(report.best, expected.best);
    // Each run is drawn beside its layout's candidate, as `beside_plan` pairs them.
    let plan = plan_inputs(&inputs).unwrap();
    let beside = beside_plan(&expected, &plan, inputs.workload.load);
    for (i, run) in report.runs.iter().enumerate() {
        let candidate = run.beside.expect("every matched run is beside its candidate");
        assert_eq!(plan.candidates[candidate].layout, run.layout.unwrap());
        assert_eq!(beside[candidate].as_ref().map(|c| c.run), Some(i));
    }
    assert!(report.runs.iter().all(|r| r.matched && r.blocking.is_empty()), "{report:?}");
}

#[test]
fn a_plan_with_capacity_goes_through_compare_without_it() {
    // The page's scenario carries the capacity card's `capacity`; the worker, built without
    // the planner's `capacity`, gets it stripped and compares as for the same plan without it.
    let mut with_capacity = echoed();
    with_capacity["capacity"] = serde_json::json!({"target": {"request_rate": 30}});
    let runs = texts(&runs(2, 0.5));
    let ask = Ask::Compare { scenario: with_capacity.clone(), runs: runs.clone() }.for_worker();
    let Ask::Compare { scenario, .. } = &ask else { panic!("{ask:?}") };
    assert_eq!(scenario.get("capacity"), None, "stripped: {scenario}");
    assert_eq!(*scenario, echoed(), "the scenario is otherwise untouched");
    let stripped = served(&Request { id: 4, ask });
    let plain = served(&Request { id: 4, ask: Ask::Compare { scenario: echoed(), runs } });
    let (Answer::Compare(Ok(got)), Answer::Compare(Ok(expected))) = (&stripped.answer, &plain.answer) else {
        panic!("expected two comparisons, got {stripped:?} and {plain:?}")
    };
    assert!(close(got, expected), "expected {expected:?}, got {got:?}");
    // Every kind of request is stripped the same way; an import has no scenario.
    for ask in [Ask::Script { scenario: with_capacity.clone(), top_n: 2 }, Ask::Recalibrate { scenario: with_capacity.clone(), runs: vec![] }] {
        let text = serde_json::to_string(&ask.for_worker()).unwrap();
        assert!(!text.contains("capacity"), "{text}");
    }
    let import = Ask::Import { files: vec![FileText { name: "a.csv".into(), text: "x".into() }] };
    assert_eq!(import.clone().for_worker(), import);
}

#[test]
fn the_fit_is_recalibrate_on_the_matching_runs() {
    let runs = runs(3, 0.6);
    let reply = served(&Request { id: 4, ask: Ask::Recalibrate { scenario: echoed(), runs: texts(&runs) } });
    let Answer::Recalibrate(Ok(fit)) = reply.answer else { panic!("{reply:?}") };
    let inputs = resolve(&scenario()).unwrap();
    let ms: Vec<_> = measurements(&inputs, &runs).into_iter().map(|(_, m)| m).collect();
    let expected = recalibrate(&inputs, &ms).unwrap();
    assert!(close(&fit.perf_params, &expected.perf_params), "{fit:?}");
    assert!(close(&fit.measurements, &expected.measurements), "{fit:?}");
    assert_eq!(fit.recommended, expected.plan.recommended.map(|c| c.layout));
    assert!(fit.loss_after < fit.loss_before, "{fit:?}");
}

#[test]
fn no_matching_run_is_nothing_to_fit() {
    let reply = served(&Request { id: 5, ask: Ask::Recalibrate { scenario: echoed(), runs: Vec::new() } });
    let Answer::Recalibrate(Err(e)) = reply.answer else { panic!("{reply:?}") };
    assert_eq!(e.field, "measurements");
}

#[test]
fn an_unreadable_request_is_answered_not_a_panic() {
    let bad_run = Request { id: 6, ask: Ask::Compare { scenario: echoed(), runs: vec!["{}".into()] } };
    let reply = served(&bad_run);
    assert!(matches!(reply.answer, Answer::Unreadable(_)) && reply.id == 6, "{reply:?}");
    for text in ["", "{", "{\"id\": 3, \"ask\": \"nope\"}", "[1, 2]"] {
        let reply: Reply = serde_json::from_str(&serve(text)).unwrap();
        assert_eq!(reply.id, 0);
        assert!(matches!(reply.answer, Answer::Unreadable(_)), "{text}: {reply:?}");
    }
}
