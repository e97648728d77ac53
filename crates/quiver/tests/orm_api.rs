//! Models through the HTTP layer: JSON answers, OpenAPI schemas, ORM errors as HTTP errors.

use quiver::prelude::*;
use serde_json::{Value, json};

/// The API's length limit (`validate`) is also the column's: `VARCHAR(20)`.
#[derive(Model, Serialize, Deserialize, JsonSchema, Validate, Debug, Clone)]
#[model(table = "api_author")]
struct Author {
    pub id: Auto<i64>,
    #[validate(length(min = 1, max = 20))]
    #[field(unique)]
    pub name: String,
}

#[derive(Model, Serialize, Deserialize, JsonSchema, Debug, Clone)]
#[model(table = "api_book", ordering = ["id"])]
struct Book {
    pub id: Auto<i64>,
    #[field(max_length = 100)]
    pub title: String,
    pub author: ForeignKey<Author>,
}

/// List books.
#[get("/books")]
async fn list_books(db: State<Db>) -> Result<Json<Vec<Book>>> {
    Ok(Json(Book::objects().all(&*db).await.or_404()?))
}

/// Books, filtered and ordered by query parameters.
#[get("/books/search")]
async fn search_books(
    db: State<Db>,
    #[query] ordering: Option<String>,
    #[query] author: Option<String>,
) -> Result<Json<Vec<Book>>> {
    let mut books = Book::objects();
    if let Some(author) = author {
        books = books.filter_path("author", author);
    }
    if let Some(ordering) = ordering {
        books = books.order_by_names(ordering.split(','));
    }
    Ok(Json(books.all(&*db).await.or_404()?))
}

/// Create an author.
#[post("/authors")]
async fn create_author(db: State<Db>, Json(mut author): Json<Author>) -> Result<Created<Author>> {
    author.full_clean().or_404()?;
    author.insert(&*db).await.or_404()?;
    Ok(Created::new(author))
}

/// Delete an author.
#[delete("/authors/{id}")]
async fn delete_author(db: State<Db>, #[path] id: i64) -> Result<NoContent> {
    let author = Author::objects().filter(Author::ID.eq(id)).get(&*db).await.or_404()?;
    author.delete(&*db).await.or_404()?;
    Ok(NoContent)
}

async fn client() -> TestClient {
    let db = Db::connect("sqlite::memory:").await.unwrap();
    quiver::orm::schema::create_tables(&db, &[Author::meta(), Book::meta()]).await.unwrap();
    TestClient::new(App::new().state(db).routes(routes![
        list_books,
        search_books,
        create_author,
        delete_author
    ]))
}

#[tokio::test]
async fn models_are_json_and_orm_errors_are_http_errors() {
    let client = client().await;
    let created = client.post("/authors").json(&json!({"name": "ada"})).await;
    assert_eq!(created.status(), 201);
    let ada: Value = created.json();
    assert_eq!(ada, json!({"id": 1, "name": "ada"}), "the key filled by the database");

    let duplicate = client.post("/authors").json(&json!({"name": "ada"})).await;
    assert_eq!(duplicate.status(), 409);
    assert_eq!(duplicate.json::<Value>()["detail"], "a row with these values already exists");

    let long = client.post("/authors").json(&json!({"name": "x".repeat(21)})).await;
    assert_eq!(long.status(), 422);
    assert_eq!(long.json::<Value>()["detail"][0]["loc"], json!(["body", "name"]));
    assert_eq!(Author::meta().field("name").unwrap().max_length, Some(20), "one declaration");

    assert_eq!(client.get("/books").await.json::<Value>(), json!([]));
    let ok = client.get("/books/search?ordering=-title,id&author=1").await;
    assert_eq!(ok.status(), 200);
    let bad_order = client.get("/books/search?ordering=secret").await;
    assert_eq!(bad_order.status(), 400);
    assert_eq!(bad_order.json::<Value>()["detail"], "Book has no field named \"secret\"");
    let bad_value = client.get("/books/search?author=ada").await;
    assert_eq!(bad_value.status(), 400);
    assert_eq!(bad_value.json::<Value>()["detail"], "author: \"ada\" is not an integer");
    assert_eq!(client.delete("/authors/9").await.status(), 404);
    assert_eq!(client.delete("/authors/1").await.status(), 204);
}

#[tokio::test]
async fn model_schemas_in_the_openapi_document() {
    let app = App::new().routes(routes![list_books, create_author]);
    let doc = serde_json::to_value(app.openapi()).unwrap();
    let schemas = &doc["components"]["schemas"];
    let book = schemas.get("Book").or_else(|| schemas.get("Book-Output")).expect("Book schema");
    assert_eq!(book["properties"]["id"]["readOnly"], true, "{book}");
    assert_eq!(book["properties"]["author"]["type"], "integer", "a foreign key is its key: {book}");
    let author_in = schemas.get("Author-Input").or_else(|| schemas.get("Author")).unwrap();
    let required: Vec<&str> =
        author_in["required"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(required, ["name"], "the id is not required in requests: {author_in}");
}
