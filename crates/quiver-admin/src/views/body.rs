//! A submitted form, URL-encoded or multipart (file uploads).

use http::header::CONTENT_TYPE;
use quiver_core::AppContext;
use quiver_core::extract::{FromRequest, Multipart, Request};

/// The fields of a submitted form, in order (a name may repeat), and its files.
#[derive(Debug, Default)]
pub(crate) struct FormData {
    pub fields: Vec<(String, String)>,
    /// (field name, file name, bytes); empty file inputs are left out.
    pub files: Vec<(String, String, Vec<u8>)>,
}

impl FormData {
    /// Reads the request's body; the error is a message for people.
    pub(crate) async fn read(request: Request, app: &AppContext) -> Result<FormData, String> {
        let multipart = request
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        if multipart {
            let mut form =
                Multipart::from_request(request, app).await.map_err(|e| e.to_string())?;
            let mut data = FormData::default();
            while let Some(field) = form.next_field().await.map_err(|e| e.to_string())? {
                let name = field.name().unwrap_or_default().to_owned();
                match field.file_name().map(str::to_owned) {
                    Some(file_name) => {
                        let bytes = field.bytes().await.map_err(|e| e.to_string())?;
                        if !file_name.is_empty() || !bytes.is_empty() {
                            data.files.push((name, file_name, bytes.to_vec()));
                        }
                    }
                    None => {
                        let text = field.text().await.map_err(|e| e.to_string())?;
                        data.fields.push((name, text));
                    }
                }
            }
            return Ok(data);
        }
        let body = bytes::Bytes::from_request(request, app).await.map_err(|e| e.to_string())?;
        let fields = serde_html_form::from_bytes(&body)
            .map_err(|_| "The form could not be read.".to_owned())?;
        Ok(FormData { fields, files: Vec::new() })
    }

    /// The first value named `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// Every value named `name`.
    pub(crate) fn all(&self, name: &str) -> Vec<&str> {
        self.fields.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str()).collect()
    }

    /// The uploaded file named `name`.
    pub(crate) fn file(&self, name: &str) -> Option<&(String, String, Vec<u8>)> {
        self.files.iter().find(|(k, _, _)| k == name)
    }
}
