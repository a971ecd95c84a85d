//! `utoipa` schemas of the hand-written serde types (feature `openapi`).

use std::borrow::Cow;

use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Schema, Type};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{PartialSchema, ToSchema};

use crate::de::IdOr;
use crate::document::DocumentNumber;
use crate::registration::Populates;
use crate::secret::{OtpCode, Secret};

fn string() -> RefOr<Schema> {
    ObjectBuilder::new().schema_type(Type::String).into()
}

macro_rules! string_schema {
    ($($t:ty),*) => {$(
        impl PartialSchema for $t {
            fn schema() -> RefOr<Schema> {
                string()
            }
        }
        impl ToSchema for $t {}
    )*};
}
string_schema!(Secret, OtpCode, DocumentNumber);

impl PartialSchema for Populates {
    fn schema() -> RefOr<Schema> {
        utoipa::openapi::schema::ArrayBuilder::new()
            .items(string())
            .into()
    }
}
impl ToSchema for Populates {}

impl<T: ToSchema> utoipa::__dev::ComposeSchema for IdOr<T> {
    fn compose(generics: Vec<RefOr<Schema>>) -> RefOr<Schema> {
        let object = generics
            .into_iter()
            .next()
            .unwrap_or_else(|| Ref::from_schema_name(T::name()).into());
        OneOfBuilder::new().item(string()).item(object).into()
    }
}

impl<T: ToSchema> ToSchema for IdOr<T> {
    fn name() -> Cow<'static, str> {
        Cow::Owned(format!("IdOr{}", T::name()))
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((T::name().into_owned(), T::schema()));
        T::schemas(schemas);
    }
}
