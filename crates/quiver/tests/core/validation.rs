use quiver::prelude::*;
use serde_json::{Value, json};

#[derive(Deserialize, Serialize, JsonSchema, Validate)]
struct Filters {
    #[validate(range(min = 1, max = 100))]
    limit: u32,
    #[serde(default)]
    tag: Vec<String>,
}

#[derive(Deserialize, Serialize, JsonSchema, Validate, Debug)]
struct Line {
    #[validate(length(min = 1, max = 20))]
    name: String,
    #[validate(range(min = 1))]
    quantity: u32,
}

fn not_reserved(name: &str) -> std::result::Result<(), validator::ValidationError> {
    if name == "admin" {
        let mut e = validator::ValidationError::new("reserved");
        e.message = Some("this name is reserved".into());
        return Err(e);
    }
    Ok(())
}

#[derive(Deserialize, Serialize, JsonSchema, Validate, Debug)]
struct Order {
    #[validate(length(min = 1, max = 50), custom(function = "not_reserved"))]
    customer: String,
    #[validate(email)]
    email: String,
    #[validate(url)]
    website: Option<String>,
    #[validate(length(min = 1, max = 3), nested)]
    items: Vec<Line>,
}

#[post("/shops/{shop_id}/orders")]
async fn create_order(
    #[path] shop_id: u32,
    Query(f): Query<Filters>,
    Json(order): Json<Order>,
) -> Json<Value> {
    Json(json!({"shop": shop_id, "limit": f.limit, "items": order.items.len()}))
}

fn client() -> TestClient {
    TestClient::new(App::new().routes(routes![create_order]))
}

fn valid_order() -> Value {
    json!({"customer": "ada", "email": "ada@example.com", "items": [{"name": "tea", "quantity": 2}]})
}

fn locs(body: &Value) -> Vec<Value> {
    body["detail"].as_array().unwrap().iter().map(|e| e["loc"].clone()).collect()
}

#[tokio::test]
async fn a_valid_request_reaches_the_handler() {
    let r = client().post("/shops/3/orders?limit=5&tag=a&tag=b").json(&valid_order()).await;
    assert_eq!(r.status(), 200, "{}", r.text());
    assert_eq!(r.json::<Value>(), json!({"shop": 3, "limit": 5, "items": 1}));
}

#[tokio::test]
async fn errors_in_path_query_and_body_come_back_together_in_order() {
    let body = json!({"customer": "", "email": "nope", "items": []});
    let r = client().post("/shops/abc/orders?limit=500").json(&body).await;
    assert_eq!(r.status(), 422);
    assert_eq!(r.content_type(), Some("application/json"));
    let body: Value = r.json();
    assert_eq!(
        locs(&body),
        vec![
            json!(["path", "shop_id"]),
            json!(["query", "limit"]),
            json!(["body", "customer"]),
            json!(["body", "email"]),
            json!(["body", "items"]),
        ],
        "{body:#}"
    );
    let detail = &body["detail"];
    assert_eq!(detail[0]["type"], "int_parsing");
    assert_eq!(detail[0]["input"], "abc");
    assert_eq!(detail[1]["type"], "less_than_equal");
    assert_eq!(detail[1]["ctx"], json!({"le": 100}));
    assert_eq!(detail[2]["type"], "string_too_short");
    assert_eq!(detail[2]["msg"], "String should have at least 1 character");
    assert_eq!(detail[4]["type"], "too_short");
}

#[tokio::test]
async fn missing_fields_and_wrong_types_are_all_listed_not_just_the_first() {
    let body = json!({"email": 5, "items": [{"name": "ok", "quantity": 1}, {"quantity": "many"}, {"name": 3, "quantity": 0}]});
    let r = client().post("/shops/1/orders?limit=1").json(&body).await;
    assert_eq!(r.status(), 422);
    let body: Value = r.json();
    let detail = body["detail"].as_array().unwrap();
    let described: Vec<(Value, Value)> =
        detail.iter().map(|e| (e["loc"].clone(), e["type"].clone())).collect();
    for expected in [
        (json!(["body", "customer"]), json!("missing")),
        (json!(["body", "email"]), json!("string_type")),
        (json!(["body", "items", 1, "name"]), json!("missing")),
        (json!(["body", "items", 1, "quantity"]), json!("int_parsing")),
        (json!(["body", "items", 2, "name"]), json!("string_type")),
        (json!(["body", "items", 2, "quantity"]), json!("greater_than_equal")),
    ] {
        assert!(described.contains(&expected), "{expected:?} not in {body:#}");
    }
    assert_eq!(detail.len(), 6, "{body:#}");
}

#[tokio::test]
async fn nested_constraint_failures_are_located_inside_lists() {
    let mut order = valid_order();
    order["items"] = json!([{"name": "a", "quantity": 1}, {"name": "b", "quantity": 1}, {"name": "", "quantity": 1}]);
    let r = client().post("/shops/1/orders?limit=1").json(&order).await;
    assert_eq!(r.status(), 422);
    assert_eq!(locs(&r.json()), vec![json!(["body", "items", 2, "name"])]);
}

#[tokio::test]
async fn custom_validators_email_and_url_report_value_errors() {
    let mut order = valid_order();
    order["customer"] = json!("admin");
    order["website"] = json!("not a url");
    let r = client().post("/shops/1/orders?limit=1").json(&order).await;
    assert_eq!(r.status(), 422);
    let body: Value = r.json();
    let detail = body["detail"].as_array().unwrap();
    let custom =
        detail.iter().find(|e| e["loc"] == json!(["body", "customer"])).expect("customer error");
    assert_eq!(custom["type"], "value_error");
    assert_eq!(custom["msg"], "Value error, this name is reserved");
    assert!(detail.iter().any(|e| e["loc"] == json!(["body", "website"])), "{body:#}");
}

#[tokio::test]
async fn malformed_json_is_a_json_invalid_error_with_its_position() {
    let r = client()
        .post("/shops/1/orders?limit=1")
        .header("content-type", "application/json")
        .body("{\"customer\": ")
        .await;
    assert_eq!(r.status(), 422);
    let body: Value = r.json();
    assert_eq!(body["detail"][0]["type"], "json_invalid");
    assert_eq!(body["detail"][0]["loc"][0], "body");
    assert!(body["detail"][0]["loc"][1].is_u64());
}

#[tokio::test]
async fn an_empty_body_is_reported_as_missing() {
    let r =
        client().post("/shops/1/orders?limit=1").header("content-type", "application/json").await;
    assert_eq!(r.status(), 422);
    assert_eq!(
        r.json::<Value>()["detail"][0],
        json!({"type": "missing", "loc": ["body"], "msg": "Field required", "input": null})
    );
}

#[tokio::test]
async fn a_body_that_is_not_an_object_is_rejected_with_its_type() {
    let r = client().post("/shops/1/orders?limit=1").json(&json!([1, 2])).await;
    assert_eq!(r.status(), 422);
    assert_eq!(r.json::<Value>()["detail"][0]["type"], "model_attributes_type");
}

#[tokio::test]
async fn a_non_json_content_type_is_415() {
    let r = client()
        .post("/shops/1/orders?limit=1")
        .header("content-type", "text/plain")
        .body("{}")
        .await;
    assert_eq!(r.status(), 415);
    assert!(r.json::<Value>()["detail"].as_str().unwrap().contains("application/json"));
}

#[tokio::test]
async fn query_strings_accept_what_pydantic_accepts() {
    #[derive(Deserialize, JsonSchema, Validate)]
    struct Flags {
        verbose: bool,
        ids: Vec<u32>,
    }
    async fn flags(Query(f): Query<Flags>) -> String {
        format!("{} {:?}", f.verbose, f.ids)
    }
    let client = TestClient::new(App::new().get("/f", flags));
    let r = client.get("/f?verbose=yes&ids=1&ids=2").await;
    assert_eq!(r.text(), "true [1, 2]");
    let r = client.get("/f?verbose=maybe&ids=1&ids=x").await;
    assert_eq!(r.status(), 422);
    assert_eq!(locs(&r.json()), vec![json!(["query", "verbose"]), json!(["query", "ids", 1])]);
}

#[tokio::test]
async fn plain_data_bodies_need_no_derive_and_still_report_their_type_errors() {
    async fn sum(Json(numbers): Json<Vec<u32>>) -> Json<u32> {
        Json(numbers.iter().sum())
    }
    async fn keys(Json(map): Json<std::collections::HashMap<String, Value>>) -> Json<usize> {
        Json(map.len())
    }
    let c = TestClient::new(App::new().post("/sum", sum).post("/keys", keys));
    assert_eq!(c.post("/sum").json(&[1, 2, 3]).await.json::<u32>(), 6);
    let r = c.post("/sum").json(&json!([1, "two", -3])).await;
    assert_eq!(r.status(), 422);
    assert_eq!(locs(&r.json()), vec![json!(["body", 1]), json!(["body", 2])]);
    assert_eq!(c.post("/keys").json(&json!({"a": 1, "b": [2]})).await.json::<usize>(), 2);
}

static SKU: std::sync::LazyLock<regex::Regex> =
    std::sync::LazyLock::new(|| regex::Regex::new(r"^[A-Z]{3}-\d{4}$").unwrap());

#[tokio::test]
async fn patterns_are_checked_and_named_in_the_error() {
    #[derive(Deserialize, JsonSchema, Validate)]
    struct Product {
        #[validate(regex(path = *SKU))]
        sku: String,
    }
    async fn create(Json(p): Json<Product>) -> String {
        p.sku
    }
    let c = TestClient::new(App::new().post("/products", create));
    assert_eq!(c.post("/products").json(&json!({"sku": "ABC-1234"})).await.text(), "ABC-1234");
    let r = c.post("/products").json(&json!({"sku": "abc"})).await;
    assert_eq!(r.status(), 422);
    let body: Value = r.json();
    assert_eq!(body["detail"][0]["type"], "string_pattern_mismatch");
    assert_eq!(body["detail"][0]["loc"], json!(["body", "sku"]));
    assert!(body["detail"][0]["msg"].as_str().unwrap().contains(r"^[A-Z]{3}-\d{4}$"), "{body:#}");
}

#[tokio::test]
async fn whole_numbers_written_as_floats_are_accepted_for_integers() {
    let mut order = valid_order();
    order["items"][0]["quantity"] = json!(2.0);
    let r = client().post("/shops/1/orders?limit=1").json(&order).await;
    assert_eq!(r.status(), 200, "{}", r.text());
    order["items"][0]["quantity"] = json!(2.5);
    let r = client().post("/shops/1/orders?limit=1").json(&order).await;
    assert_eq!(r.status(), 422);
    assert_eq!(r.json::<Value>()["detail"][0]["loc"], json!(["body", "items", 0, "quantity"]));
}

#[tokio::test]
async fn integers_too_large_for_their_type_are_located_and_explained() {
    let mut order = valid_order();
    order["items"][0]["quantity"] = json!(4_294_967_296u64);
    let r = client().post("/shops/1/orders?limit=1").json(&order).await;
    assert_eq!(r.status(), 422);
    let body: Value = r.json();
    assert_eq!(body["detail"][0]["loc"], json!(["body", "items", 0, "quantity"]));
    assert_eq!(body["detail"][0]["type"], "less_than_equal");
    assert_eq!(body["detail"][0]["ctx"], json!({"le": 4_294_967_295u64}));
}
