//! A wrong enum value names the allowed values, whether or not the variants have doc comments.
//!
//! schemars writes an enum of plain unit variants as `{"type": "string", "enum": [...]}`, but one
//! whose variants have doc comments as `{"oneOf": [{"const": ..., "description": ...}, ...]}`; the
//! client must not see a vaguer error because the developer documented the variants.

use quiver::prelude::*;
use serde_json::{Value, json};

/// How big a cup.
#[derive(Deserialize, Serialize, JsonSchema, Debug)]
#[serde(rename_all = "lowercase")]
enum Size {
    /// 250 ml.
    Small,
    /// 350 ml.
    Medium,
    /// 500 ml.
    Large,
}

#[derive(Deserialize, Serialize, JsonSchema, Debug)]
#[serde(rename_all = "lowercase")]
enum PlainSize {
    Small,
    Medium,
    Large,
}

/// A variant alone is still an enum, not a literal.
#[derive(Deserialize, Serialize, JsonSchema, Debug)]
#[serde(rename_all = "lowercase")]
enum Milk {
    /// The only one we have.
    Oat,
}

#[derive(Deserialize, Serialize, JsonSchema, Debug)]
#[serde(rename_all = "lowercase")]
enum PlainMilk {
    Oat,
}

#[derive(Deserialize, Serialize, JsonSchema, Validate, Debug)]
struct Coffee {
    name: String,
    #[validate(range(min = 1, max = 10))]
    quantity: u32,
    size: Size,
    refill: Option<Size>,
    #[serde(default)]
    milk: Option<Milk>,
}

#[derive(Deserialize, Serialize, JsonSchema, Validate, Debug)]
struct PlainCoffee {
    name: String,
    #[validate(range(min = 1, max = 10))]
    quantity: u32,
    size: PlainSize,
    refill: Option<PlainSize>,
    #[serde(default)]
    milk: Option<PlainMilk>,
}

/// A union of objects told apart by a tag: a wrong tag is not an enum value.
#[derive(Deserialize, Serialize, JsonSchema, Debug)]
#[serde(tag = "kind", rename_all = "lowercase")]
enum Cup {
    /// Ours.
    Mug { handle: bool },
    /// Paper.
    Takeaway { lid: bool },
}

#[derive(Deserialize, Serialize, JsonSchema, Validate, Debug)]
struct Serving {
    cup: Cup,
}

#[post("/coffee")]
async fn order(Json(coffee): Json<Coffee>) -> Json<Coffee> {
    Json(coffee)
}

#[post("/plain-coffee")]
async fn order_plain(Json(coffee): Json<PlainCoffee>) -> Json<PlainCoffee> {
    Json(coffee)
}

#[post("/servings")]
async fn serve(Json(serving): Json<Serving>) -> Json<Serving> {
    Json(serving)
}

fn app() -> App {
    App::new().routes(routes![order, order_plain, serve])
}

fn coffee() -> Value {
    json!({"name": "ada", "quantity": 1, "size": "small", "refill": null})
}

/// The `detail` of a `422` for `body` sent to both routes, documented enum first; they must agree.
async fn details(body: Value) -> Value {
    let c = TestClient::new(app());
    let documented = c.post("/coffee").json(&body).await;
    let plain = c.post("/plain-coffee").json(&body).await;
    assert_eq!(documented.status(), 422, "{}", documented.text());
    assert_eq!(plain.status(), 422, "{}", plain.text());
    let documented: Value = documented.json();
    assert_eq!(documented, plain.json::<Value>(), "documented and plain enums disagree");
    documented["detail"].clone()
}

#[tokio::test]
async fn a_wrong_value_of_a_documented_enum_names_the_allowed_values() {
    let mut body = coffee();
    body["size"] = json!("huge");
    assert_eq!(
        details(body).await,
        json!([{
            "type": "enum",
            "loc": ["body", "size"],
            "msg": "Input should be 'small', 'medium' or 'large'",
            "input": "huge",
            "ctx": {"expected": "'small', 'medium' or 'large'"},
        }])
    );
}

#[tokio::test]
async fn a_wrong_value_of_an_optional_documented_enum_names_the_allowed_values() {
    let mut body = coffee();
    body["refill"] = json!("huge");
    assert_eq!(
        details(body).await,
        json!([{
            "type": "enum",
            "loc": ["body", "refill"],
            "msg": "Input should be 'small', 'medium' or 'large'",
            "input": "huge",
            "ctx": {"expected": "'small', 'medium' or 'large'"},
        }])
    );
}

#[tokio::test]
async fn a_documented_enum_given_a_number_reports_its_type_and_values_like_a_plain_enum() {
    let mut body = coffee();
    body["size"] = json!(5);
    body["refill"] = json!(5);
    let detail = details(body).await;
    let described: Vec<(Value, Value)> =
        detail.as_array().unwrap().iter().map(|e| (e["loc"].clone(), e["type"].clone())).collect();
    assert_eq!(
        described,
        vec![
            (json!(["body", "size"]), json!("string_type")),
            (json!(["body", "size"]), json!("enum")),
            (json!(["body", "refill"]), json!("string_type")),
            (json!(["body", "refill"]), json!("enum")),
        ]
    );
}

#[tokio::test]
async fn a_documented_enum_of_one_variant_reports_like_a_plain_one() {
    let mut body = coffee();
    body["milk"] = json!("cow");
    assert_eq!(
        details(body).await,
        json!([{
            "type": "enum",
            "loc": ["body", "milk"],
            "msg": "Input should be 'oat'",
            "input": "cow",
            "ctx": {"expected": "'oat'"},
        }])
    );
}

#[tokio::test]
async fn valid_values_of_documented_enums_are_accepted() {
    let c = TestClient::new(app());
    let r = c.post("/coffee").json(&json!({"name": "ada", "quantity": 2, "size": "large"})).await;
    assert_eq!(r.status(), 200, "{}", r.text());
    assert_eq!(r.json::<Value>()["size"], "large");
    assert_eq!(r.json::<Value>()["refill"], Value::Null);

    let body =
        json!({"name": "ada", "quantity": 2, "size": "medium", "refill": "small", "milk": "oat"});
    let r = c.post("/coffee").json(&body).await;
    assert_eq!(r.status(), 200, "{}", r.text());
    assert_eq!(r.json::<Value>(), body);
}

#[tokio::test]
async fn other_fields_problems_are_still_all_reported_beside_the_enum() {
    let body = json!({"quantity": 0, "size": "huge", "refill": "tiny", "milk": 3});
    let detail = details(body).await;
    let described: Vec<(Value, Value)> =
        detail.as_array().unwrap().iter().map(|e| (e["loc"].clone(), e["type"].clone())).collect();
    for expected in [
        (json!(["body", "name"]), json!("missing")),
        (json!(["body", "quantity"]), json!("greater_than_equal")),
        (json!(["body", "size"]), json!("enum")),
        (json!(["body", "refill"]), json!("enum")),
        (json!(["body", "milk"]), json!("string_type")),
        (json!(["body", "milk"]), json!("enum")),
    ] {
        assert!(described.contains(&expected), "{expected:?} not in {detail:#}");
    }
    assert_eq!(described.len(), 6, "{detail:#}");
}

#[tokio::test]
async fn a_wrong_tag_of_a_union_of_objects_is_still_a_union_error() {
    let c = TestClient::new(app());
    let r = c.post("/servings").json(&json!({"cup": {"kind": "bowl"}})).await;
    assert_eq!(r.status(), 422);
    let detail = &r.json::<Value>()["detail"];
    assert_eq!(detail[0]["type"], "union_tag_invalid", "{detail:#}");
    assert_eq!(detail[0]["loc"], json!(["body", "cup"]));
}

#[test]
fn the_document_keeps_each_variants_description() {
    let doc = app().openapi();
    let schemas = &doc["components"]["schemas"];
    assert_eq!(
        schemas["Size"],
        json!({
            "description": "How big a cup.",
            "oneOf": [
                {"type": "string", "const": "small", "description": "250 ml."},
                {"type": "string", "const": "medium", "description": "350 ml."},
                {"type": "string", "const": "large", "description": "500 ml."},
            ],
        })
    );
    assert_eq!(
        schemas["PlainSize"],
        json!({"type": "string", "enum": ["small", "medium", "large"]})
    );
    assert_eq!(
        schemas["Coffee-Input"]["properties"]["refill"],
        json!({"anyOf": [{"$ref": "#/components/schemas/Size"}, {"type": "null"}]})
    );
}
