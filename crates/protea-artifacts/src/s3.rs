//! Artifacts in an S3 bucket (MinIO, AWS, any S3 API), `s3://<bucket>/<prefix>/<key>`.

use std::future::Future;

use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStoreExt, PutPayload};

use crate::ArtifactStore;
use crate::error::{ArtifactError, Result};
use crate::uri::validate_key;

/// How to reach an S3 service.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct S3Config {
    /// `http(s)://host:port` of a MinIO or other S3-compatible service; `None` for AWS.
    pub endpoint: Option<String>,
    pub region: Option<String>,
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<String>,
}

impl S3Config {
    /// From the environment: `PROTEA_S3_ENDPOINT` (else `AWS_ENDPOINT_URL`),
    /// `AWS_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`.
    pub fn from_env() -> S3Config {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        S3Config {
            endpoint: var("PROTEA_S3_ENDPOINT").or_else(|| var("AWS_ENDPOINT_URL")),
            region: var("AWS_REGION"),
            access_key_id: var("AWS_ACCESS_KEY_ID"),
            secret_access_key: var("AWS_SECRET_ACCESS_KEY"),
        }
    }
}

/// Artifacts under a prefix of a bucket. The bucket must exist.
#[derive(Debug)]
pub struct S3ArtifactStore {
    client: AmazonS3,
    bucket: String,
    prefix: String,
    runtime: tokio::runtime::Runtime,
}

impl S3ArtifactStore {
    /// A store on `bucket`, keys under `prefix` (`""` or `a/b`, validated like a key).
    pub fn new(config: &S3Config, bucket: &str, prefix: &str) -> Result<S3ArtifactStore> {
        let prefix = prefix.trim_matches('/');
        if !prefix.is_empty() {
            validate_key(prefix)?;
        }
        if bucket.is_empty() || bucket.contains('/') {
            return Err(ArtifactError::InvalidUri {
                uri: format!("s3://{bucket}"),
                reason: "the bucket name is empty or holds a '/'".into(),
            });
        }
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(bucket)
            .with_region(config.region.clone().unwrap_or_else(|| "us-east-1".into()));
        if let Some(endpoint) = &config.endpoint {
            builder = builder
                .with_endpoint(endpoint)
                .with_allow_http(endpoint.starts_with("http://"));
        }
        if let (Some(ak), Some(sk)) = (&config.access_key_id, &config.secret_access_key) {
            builder = builder.with_access_key_id(ak).with_secret_access_key(sk);
        }
        let client = builder
            .build()
            .map_err(|source| ArtifactError::ObjectStore {
                uri: format!("s3://{bucket}/{prefix}"),
                source,
            })?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| ArtifactError::Unavailable(format!("cannot start an I/O runtime: {e}")))?;
        Ok(S3ArtifactStore {
            client,
            bucket: bucket.into(),
            prefix: prefix.into(),
            runtime,
        })
    }

    fn object_path(&self, key: &str) -> Result<ObjectPath> {
        validate_key(key)?;
        Ok(if self.prefix.is_empty() {
            ObjectPath::from(key)
        } else {
            ObjectPath::from(format!("{}/{key}", self.prefix))
        })
    }

    /// The key of a URI of this store; refuses other buckets and URIs outside the prefix.
    fn key_of_uri<'u>(&self, uri: &'u str) -> Result<&'u str> {
        let bad = |reason: String| ArtifactError::InvalidUri {
            uri: uri.into(),
            reason,
        };
        let rest = uri
            .strip_prefix("s3://")
            .ok_or_else(|| bad("an S3 store reads s3:// URIs only".into()))?;
        let (bucket, path) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket != self.bucket {
            return Err(bad(format!("not in bucket {:?}", self.bucket)));
        }
        let key = if self.prefix.is_empty() {
            Some(path)
        } else {
            path.strip_prefix(self.prefix.as_str())
                .and_then(|p| p.strip_prefix('/'))
        };
        key.ok_or_else(|| bad(format!("outside the store's prefix {:?}", self.prefix)))
    }

    /// Runs a request to completion on the store's runtime, from a scoped thread so that
    /// callers inside another runtime do not nest `block_on`.
    fn block<T: Send>(&self, fut: impl Future<Output = T> + Send) -> T {
        std::thread::scope(|s| {
            s.spawn(|| self.runtime.block_on(fut))
                .join()
                .expect("an S3 request panicked")
        })
    }

    fn map_err(&self, key: &str) -> impl Fn(object_store::Error) -> ArtifactError + '_ {
        let uri = self.uri_unchecked(key);
        move |source| match source {
            object_store::Error::NotFound { .. } => ArtifactError::NotFound { uri: uri.clone() },
            source => ArtifactError::ObjectStore {
                uri: uri.clone(),
                source,
            },
        }
    }

    fn uri_unchecked(&self, key: &str) -> String {
        if self.prefix.is_empty() {
            format!("s3://{}/{key}", self.bucket)
        } else {
            format!("s3://{}/{}/{key}", self.bucket, self.prefix)
        }
    }
}

impl ArtifactStore for S3ArtifactStore {
    fn put(&self, key: &str, bytes: &[u8]) -> Result<String> {
        let path = self.object_path(key)?;
        let payload = PutPayload::from(bytes.to_vec());
        self.block(self.client.put(&path, payload))
            .map_err(self.map_err(key))?;
        self.uri(key)
    }

    fn get(&self, uri: &str) -> Result<Vec<u8>> {
        let key = self.key_of_uri(uri)?;
        let path = self.object_path(key)?;
        let bytes = self
            .block(async { self.client.get(&path).await?.bytes().await })
            .map_err(self.map_err(key))?;
        Ok(bytes.to_vec())
    }

    fn uri(&self, key: &str) -> Result<String> {
        validate_key(key)?;
        Ok(self.uri_unchecked(key))
    }

    fn exists(&self, key: &str) -> Result<bool> {
        let path = self.object_path(key)?;
        match self.block(self.client.head(&path)) {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(self.map_err(key)(e)),
        }
    }

    fn delete(&self, key: &str) -> Result<bool> {
        // S3 deletes are idempotent and say nothing about presence: look first.
        if !self.exists(key)? {
            return Ok(false);
        }
        let path = self.object_path(key)?;
        self.block(self.client.delete(&path))
            .map_err(self.map_err(key))?;
        Ok(true)
    }
}
