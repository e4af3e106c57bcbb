//! A process-level cache of loaded references, keyed by (embedding config, annotation set).
//!
//! Each entry carries a version stamp supplied by the caller (for instance the config's and
//! the annotation set's revision): a lookup with another stamp finds nothing and drops the
//! stale entry, so a change to either side reloads. Least recently used entries are evicted
//! beyond the capacity (the platform keeps one: `ReferenceCache::default()`).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// Which references an entry holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CacheKey<C, A> {
    pub embedding_config: C,
    pub annotation_set: A,
}

impl<C, A> CacheKey<C, A> {
    pub fn new(embedding_config: C, annotation_set: A) -> Self {
        CacheKey {
            embedding_config,
            annotation_set,
        }
    }
}

struct Entry<K, S, V> {
    key: K,
    stamp: S,
    value: Arc<V>,
}

/// LRU cache of `V` by key `K`, valid only for the stamp `S` it was stored with.
pub struct ReferenceCache<K, S, V> {
    capacity: usize,
    /// Most recently used last.
    entries: Mutex<VecDeque<Entry<K, S, V>>>,
}

impl<K, S, V> Default for ReferenceCache<K, S, V> {
    /// One entry, as the platform's reference cache.
    fn default() -> Self {
        Self::new(1)
    }
}

impl<K, S, V> std::fmt::Debug for ReferenceCache<K, S, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReferenceCache")
            .field("capacity", &self.capacity)
            .field("len", &self.lock().len())
            .finish()
    }
}

impl<K, S, V> ReferenceCache<K, S, V> {
    /// A cache of at most `capacity` entries (at least one).
    pub fn new(capacity: usize) -> Self {
        ReferenceCache {
            capacity: capacity.max(1),
            entries: Mutex::new(VecDeque::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<Entry<K, S, V>>> {
        // A panic elsewhere cannot leave the deque half-updated: recover it.
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn clear(&self) {
        self.lock().clear();
    }
}

impl<K: Eq, S: Eq, V> ReferenceCache<K, S, V> {
    /// The entry for `key` if it was stored with `stamp`; an entry with another stamp is
    /// stale and is dropped.
    pub fn get(&self, key: &K, stamp: &S) -> Option<Arc<V>> {
        let mut entries = self.lock();
        let pos = entries.iter().position(|e| &e.key == key)?;
        let entry = entries.remove(pos).expect("position is in range");
        if &entry.stamp != stamp {
            return None;
        }
        let value = Arc::clone(&entry.value);
        entries.push_back(entry);
        Some(value)
    }

    /// Stores `value` for `key` at `stamp`, replacing any entry for `key` and evicting the
    /// least recently used beyond the capacity.
    pub fn insert(&self, key: K, stamp: S, value: V) -> Arc<V> {
        let value = Arc::new(value);
        let mut entries = self.lock();
        entries.retain(|e| e.key != key);
        entries.push_back(Entry {
            key,
            stamp,
            value: Arc::clone(&value),
        });
        while entries.len() > self.capacity {
            entries.pop_front();
        }
        value
    }

    /// Drops the entry for `key`, whatever its stamp.
    pub fn invalidate(&self, key: &K) {
        self.lock().retain(|e| &e.key != key);
    }

    /// The cached value, or `load()`'s, stored. The loader runs outside the lock (loading
    /// can take seconds); two callers racing on a miss both load and the later one is kept.
    pub fn get_or_try_load<E>(
        &self,
        key: K,
        stamp: S,
        load: impl FnOnce() -> Result<V, E>,
    ) -> Result<Arc<V>, E> {
        if let Some(v) = self.get(&key, &stamp) {
            return Ok(v);
        }
        let value = load()?;
        Ok(self.insert(key, stamp, value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Key = CacheKey<u32, u32>;

    #[test]
    fn hit_on_same_key_and_stamp_miss_on_either_change() {
        let cache: ReferenceCache<Key, (u64, u64), String> = ReferenceCache::default();
        let key = CacheKey::new(1, 7);
        let mut loads = 0;
        let mut load = |s: &str| {
            loads += 1;
            Ok::<_, ()>(s.to_owned())
        };
        let a = cache.get_or_try_load(key, (1, 1), || load("a")).unwrap();
        let again = cache
            .get_or_try_load(key, (1, 1), || load("never"))
            .unwrap();
        assert_eq!((a.as_str(), again.as_str()), ("a", "a"));
        // The annotation set changed (its stamp moved): reload.
        let b = cache.get_or_try_load(key, (1, 2), || load("b")).unwrap();
        assert_eq!(b.as_str(), "b");
        // The embedding config's stamp moved: reload.
        let c = cache.get_or_try_load(key, (2, 2), || load("c")).unwrap();
        assert_eq!(c.as_str(), "c");
        assert_eq!(loads, 3);
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn another_key_evicts_the_least_recent_beyond_capacity() {
        let cache: ReferenceCache<Key, u8, u32> = ReferenceCache::new(2);
        cache.insert(CacheKey::new(1, 1), 0, 10);
        cache.insert(CacheKey::new(2, 1), 0, 20);
        assert!(cache.get(&CacheKey::new(1, 1), &0).is_some()); // now most recent
        cache.insert(CacheKey::new(1, 2), 0, 30);
        assert!(cache.get(&CacheKey::new(2, 1), &0).is_none());
        assert_eq!(*cache.get(&CacheKey::new(1, 1), &0).unwrap(), 10);
        assert_eq!(*cache.get(&CacheKey::new(1, 2), &0).unwrap(), 30);

        let single: ReferenceCache<Key, u8, u32> = ReferenceCache::default();
        single.insert(CacheKey::new(1, 1), 0, 1);
        single.insert(CacheKey::new(9, 1), 0, 2);
        assert!(single.get(&CacheKey::new(1, 1), &0).is_none());
        assert_eq!(single.len(), 1);
    }

    #[test]
    fn a_failed_load_stores_nothing() {
        let cache: ReferenceCache<Key, u8, u32> = ReferenceCache::default();
        let r = cache.get_or_try_load(CacheKey::new(1, 1), 0, || Err("db down"));
        assert_eq!(r.unwrap_err(), "db down");
        assert!(cache.is_empty());
    }
}
