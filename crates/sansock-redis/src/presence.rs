//! Presence: each instance's members in a Redis hash (`<prefix>:members:<instance>`, member →
//! what the application said of it) that expires a lifetime after the instance last refreshed
//! it, and the set of instances (`<prefix>:servers`). [`snapshot`] reads everyone at once (one
//! Lua script: a consistent view) and forgets the instances whose hash expired.

use redis::RedisError;
use redis::aio::MultiplexedConnection;
use std::collections::BTreeMap;

/// Every instance's members, read at once: `[server, member, data, server, member, data, ..]`;
/// instances whose hash expired (they died, or have no members) leave the set.
const SNAPSHOT: &str = r"
local out = {}
for _, server in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local members = redis.call('HGETALL', ARGV[1] .. server)
  if #members == 0 then
    redis.call('SREM', KEYS[1], server)
  end
  for i = 1, #members, 2 do
    out[#out + 1] = server
    out[#out + 1] = members[i]
    out[#out + 1] = members[i + 1]
  end
end
return out
";

/// The keys of one deployment's presence.
#[derive(Debug, Clone)]
pub(crate) struct Keys {
    /// The set of instances.
    pub(crate) servers: String,
    /// Each instance's hash is this followed by its name.
    pub(crate) members: String,
}

impl Keys {
    pub(crate) fn new(prefix: &str) -> Keys {
        Keys {
            servers: format!("{prefix}:servers"),
            members: format!("{prefix}:members:"),
        }
    }

    pub(crate) fn of(&self, server: &str) -> String {
        format!("{}{server}", self.members)
    }
}

/// Everyone present on instances other than `own`.
pub(crate) async fn snapshot(
    connection: &mut MultiplexedConnection,
    keys: &Keys,
    own: &str,
) -> Result<BTreeMap<(String, u64), String>, RedisError> {
    let script = redis::Script::new(SNAPSHOT);
    let mut invocation = script.key(&keys.servers);
    invocation.arg(&keys.members);
    let flat: Vec<String> = invocation.invoke_async(connection).await?;
    let mut present = BTreeMap::new();
    for triple in flat.chunks_exact(3) {
        let [server, member, data] = triple else {
            continue;
        };
        if server == own {
            continue;
        }
        if let Ok(member) = member.parse() {
            present.insert((server.clone(), member), data.clone());
        }
    }
    Ok(present)
}
