//! Ten realistic schema changes, one migration each, with data present, on every backend:
//! add a nullable field, make it required with a default, rename a field, widen a type, add a
//! model and a relation, add an index and a composite unique constraint, split a model (with a
//! data migration), rename a model and its table, drop a field and add a many-to-many. Then
//! back to zero and forward again.

use quiver_orm::migrations::{
    Answers, Migration, Operation, ProjectState, Target, detect, migrate, register_rust,
};
use quiver_orm::prelude::*;
use quiver_orm::{ModelMeta, db_test};

macro_rules! customer {
    ($version:ident, [$($field:tt)*], [$($extra:item)*]) => {
        mod $version {
            #[allow(unused_imports)]
            use super::*;
            #[derive(Model, Debug)]
            #[model(table = "shop_customer")]
            pub struct Customer {
                pub id: Auto<i64>,
                $($field)*
            }
            $($extra)*
        }
    };
}

customer!(v1, [#[field(max_length = 50)] pub name: String,], []);
customer!(v2, [#[field(max_length = 50)] pub name: String, #[field(max_length = 100)] pub email: Option<String>,], []);
customer!(v3, [#[field(max_length = 50)] pub name: String, #[field(max_length = 100, default = "")] pub email: String,], []);
customer!(v4, [#[field(max_length = 50, renamed_from = "name")] pub full_name: String, #[field(max_length = 100, default = "")] pub email: String,], []);
customer!(v5, [
    #[field(max_length = 50)] pub full_name: String,
    #[field(max_length = 100, default = "")] pub email: String,
    #[field(default = 1)] pub level: i32,
], []);
customer!(v6, [
    #[field(max_length = 50)] pub full_name: String,
    #[field(max_length = 100, default = "")] pub email: String,
    #[field(default = 1)] pub level: i64,
    #[field(on_delete = set_null)] pub company: Option<ForeignKey<Company>>,
], [
    #[derive(Model, Debug)]
    #[model(table = "shop_company")]
    pub struct Company { pub id: Auto<i64>, #[field(max_length = 50)] pub name: String }
]);
customer!(v7, [
    #[field(max_length = 50, index)] pub full_name: String,
    #[field(max_length = 100, default = "")] pub email: String,
    #[field(default = 1)] pub level: i64,
    #[field(on_delete = set_null)] pub company: Option<ForeignKey<Company>>,
], [
    #[derive(Model, Debug)]
    #[model(table = "shop_company", unique_together = [["name", "city"]])]
    pub struct Company { pub id: Auto<i64>, #[field(max_length = 50)] pub name: String, #[field(max_length = 50, default = "")] pub city: String }
]);
customer!(v8, [
    #[field(max_length = 50, index)] pub full_name: String,
    #[field(default = 1)] pub level: i64,
    #[field(on_delete = set_null)] pub company: Option<ForeignKey<Company>>,
], [
    #[derive(Model, Debug)]
    #[model(table = "shop_company", unique_together = [["name", "city"]])]
    pub struct Company { pub id: Auto<i64>, #[field(max_length = 50)] pub name: String, #[field(max_length = 50, default = "")] pub city: String }
    /// Split out of Customer.
    #[derive(Model, Debug)]
    #[model(table = "shop_contact")]
    pub struct Contact { pub id: Auto<i64>, #[field(on_delete = cascade)] pub customer: OneToOne<Customer>, #[field(max_length = 100)] pub email: String }
]);
customer!(v9, [
    #[field(max_length = 50, index)] pub full_name: String,
    #[field(default = 1)] pub level: i64,
    #[field(on_delete = set_null)] pub company: Option<ForeignKey<Organization>>,
], [
    #[derive(Model, Debug)]
    #[model(table = "shop_organization", renamed_from = "Company", unique_together = [["name", "city"]])]
    pub struct Organization { pub id: Auto<i64>, #[field(max_length = 50)] pub name: String, #[field(max_length = 50, default = "")] pub city: String }
    #[derive(Model, Debug)]
    #[model(table = "shop_contact")]
    pub struct Contact { pub id: Auto<i64>, #[field(on_delete = cascade)] pub customer: OneToOne<Customer>, #[field(max_length = 100)] pub email: String }
]);
customer!(v10, [
    #[field(max_length = 50, index)] pub full_name: String,
    #[field(on_delete = set_null)] pub company: Option<ForeignKey<Organization>>,
    pub friends: ManyToMany<Customer>,
], [
    #[derive(Model, Debug)]
    #[model(table = "shop_organization", unique_together = [["name", "city"]])]
    pub struct Organization { pub id: Auto<i64>, #[field(max_length = 50)] pub name: String, #[field(max_length = 50, default = "")] pub city: String }
    #[derive(Model, Debug)]
    #[model(table = "shop_contact")]
    pub struct Contact { pub id: Auto<i64>, #[field(on_delete = cascade)] pub customer: OneToOne<Customer>, #[field(max_length = 100)] pub email: String }
]);

fn versions() -> Vec<Vec<&'static ModelMeta>> {
    vec![
        vec![v1::Customer::meta()],
        vec![v2::Customer::meta()],
        vec![v3::Customer::meta()],
        vec![v4::Customer::meta()],
        vec![v5::Customer::meta()],
        vec![v6::Company::meta(), v6::Customer::meta()],
        vec![v7::Company::meta(), v7::Customer::meta()],
        vec![v8::Company::meta(), v8::Customer::meta(), v8::Contact::meta()],
        vec![v9::Organization::meta(), v9::Customer::meta(), v9::Contact::meta()],
        vec![v10::Organization::meta(), v10::Customer::meta(), v10::Contact::meta()],
    ]
}

/// The migration files makemigrations would write, one per version; the split (v8) gets the
/// data step a developer adds by hand between creating Contact and dropping the email.
fn files() -> Vec<Migration> {
    let mut files = Vec::new();
    let mut previous = ProjectState::default();
    for (i, models) in versions().into_iter().enumerate() {
        let next = ProjectState::from_models(&models);
        let mut operations = detect(&previous, &next, &Answers::default()).unwrap();
        if i == 7 {
            let remove = operations
                .iter()
                .position(|op| matches!(op, Operation::RemoveField { .. }))
                .unwrap();
            operations.insert(
                remove,
                Operation::RunRust {
                    name: "shop.copy_emails".into(),
                    reverse: Some("shop.restore_emails".into()),
                },
            );
        }
        let name = format!("{:04}_step", i + 1);
        let dependencies =
            files.last().map(|m: &Migration| vec![m.name.clone()]).unwrap_or_default();
        let text =
            Migration { app: String::new(), name: name.clone(), dependencies, operations }.render();
        files.push(Migration::parse(&name, &text).unwrap());
        previous = next;
    }
    files
}

fn register() {
    register_rust("shop.copy_emails", |db| {
        Box::pin(async move {
            db.execute_raw(
                "INSERT INTO shop_contact (customer_id, email) SELECT id, email FROM shop_customer WHERE email <> ''",
                [],
            )
            .await
            .map(drop)
        })
    });
    register_rust("shop.restore_emails", |db| {
        Box::pin(async move {
            db.execute_raw(
                "UPDATE shop_customer SET email = (SELECT email FROM shop_contact WHERE shop_contact.customer_id = shop_customer.id) \
                 WHERE id IN (SELECT customer_id FROM shop_contact)",
                [],
            )
            .await
            .map(drop)
        })
    });
}

async fn to(db: &Db, files: &[Migration], step: usize) -> quiver_orm::Result<()> {
    migrate(db, files, &Target::Migration(files[step - 1].name.clone()), false).await.map(drop)
}

db_test!(ten_changes_with_data_and_back, |db| async move {
    register();
    let files = files();
    to(&db, &files, 1).await?;
    v1::Customer { id: Auto::new(), name: "Ada".into() }.insert(&*db).await?;
    v1::Customer { id: Auto::new(), name: "Bob".into() }.insert(&*db).await?;

    to(&db, &files, 2).await?; // nullable email
    v2::Customer::objects()
        .filter(v2::Customer::NAME.eq("Ada"))
        .update()
        .set(v2::Customer::EMAIL, Some("ada@x".to_owned()))
        .execute(&*db)
        .await?;
    to(&db, &files, 3).await?; // required, NULL becomes ""
    let emails = v3::Customer::objects()
        .order_by([v3::Customer::NAME.asc()])
        .values_list(&*db, v3::Customer::EMAIL)
        .await?;
    assert_eq!(emails, ["ada@x", ""]);
    to(&db, &files, 4).await?; // renamed
    let names = v4::Customer::objects()
        .order_by([v4::Customer::FULL_NAME.asc()])
        .values_list(&*db, v4::Customer::FULL_NAME)
        .await?;
    assert_eq!(names, ["Ada", "Bob"]);
    to(&db, &files, 5).await?; // new field with a default
    to(&db, &files, 6).await?; // widened to BIGINT, a new model and a relation
    let mut acme = v6::Company { id: Auto::new(), name: "Acme".into() };
    acme.insert(&*db).await?;
    v6::Customer::objects()
        .update()
        .set(v6::Customer::LEVEL, 5_000_000_000_i64)
        .set(v6::Customer::COMPANY, Some(ForeignKey::new(acme.id.value())))
        .execute(&*db)
        .await?;
    to(&db, &files, 7).await?; // index, a column with a default, unique together
    to(&db, &files, 8).await?; // split: emails move to Contact
    let contacts = v8::Contact::objects().values_list(&*db, v8::Contact::EMAIL).await?;
    assert_eq!(contacts, ["ada@x"]);
    to(&db, &files, 9).await?; // Company renamed Organization, table too
    let ada = v9::Customer::objects()
        .filter(v9::Customer::FULL_NAME.eq("Ada"))
        .select_related(v9::Customer::COMPANY)
        .get(&*db)
        .await?;
    assert_eq!(ada.company.as_ref().unwrap().get().unwrap().name, "Acme");
    assert_eq!(ada.level, 5_000_000_000);
    to(&db, &files, 10).await?; // level dropped, friends added
    let ada = v10::Customer::objects().filter(v10::Customer::FULL_NAME.eq("Ada")).get(&*db).await?;
    let bob = v10::Customer::objects().filter(v10::Customer::FULL_NAME.eq("Bob")).get(&*db).await?;
    ada.friends.add(&*db, [&bob]).await?;
    assert_eq!(ada.friends.query().count(&*db).await?, 1);

    // Back step by step to the split: the emails come back from Contact.
    to(&db, &files, 7).await?;
    let emails = v7::Customer::objects()
        .order_by([v7::Customer::FULL_NAME.asc()])
        .values_list(&*db, v7::Customer::EMAIL)
        .await?;
    assert_eq!(emails, ["ada@x", ""]);
    // To zero, and all the way forward again on the empty database.
    migrate(&db, &files, &Target::Zero, false).await?;
    migrate(&db, &files, &Target::Latest, false).await?;
    assert_eq!(v10::Customer::objects().count(&*db).await?, 0);
    Ok(())
});
