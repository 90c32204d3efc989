//! The OpenAPI 3.1 document of the gateway's API, served at `/v1/openapi.json`. Written
//! out here next to the handlers (the wire types live in `wirefold-wire`, which stays free
//! of HTTP concerns); `tests/api.rs` checks every documented path against the server.

use serde_json::{Value, json};

fn error_responses() -> Value {
    json!({
        "400": {"description": "Malformed or oversized parameter", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
        "401": {"description": "Missing or wrong bearer token (when the gateway has one)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    })
}

fn with_errors(mut ok: Value, extra: &[(&str, &str)]) -> Value {
    let obj = ok.as_object_mut().expect("responses object");
    for (k, v) in error_responses().as_object().expect("object") {
        obj.insert(k.clone(), v.clone());
    }
    for (code, what) in extra {
        obj.insert(
            (*code).to_string(),
            json!({"description": what, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}),
        );
    }
    ok
}

/// Adds the redirect of an id merged into another `what` (story or cluster).
fn moved(mut responses: Value, what: &str) -> Value {
    responses.as_object_mut().expect("responses object").insert(
        "301".to_string(),
        json!({
            "description": format!("The {what} was merged into another; `Location` names it (relative, with the request's query)"),
            "headers": {"Location": {"schema": {"type": "string"}}},
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Moved"}}}
        }),
    );
    responses
}

fn string_param(name: &str, inn: &str, description: &str) -> Value {
    json!({"name": name, "in": inn, "required": inn == "path", "description": description,
           "schema": {"type": "string", "maxLength": crate::MAX_PARAM_CHARS}})
}

/// A parameter whose value must match `pattern` (the handlers accept exactly that).
fn pattern_param(name: &str, inn: &str, description: &str, pattern: &str) -> Value {
    json!({"name": name, "in": inn, "description": description,
           "schema": {"type": "string", "pattern": pattern}})
}

/// `since` / `until`: a date, an RFC 3339 date-time, or empty (no bound).
fn time_param(name: &str, description: &str) -> Value {
    json!({"name": name, "in": "query", "description": description,
    "schema": {"anyOf": [
        {"type": "string", "format": "date"},
        {"type": "string", "format": "date-time"},
        {"type": "string", "maxLength": 0}
    ]}})
}

/// An event position: `0` or `<clusters seq>-<stories seq>`.
const POSITION: &str = "^(0|[0-9]{1,19}-[0-9]{1,19})$";

/// The document.
pub fn document() -> Value {
    let article_ref = json!({
        "type": "object", "required": ["id", "uri"],
        "properties": {
            "id": {"type": "string"}, "uri": {"type": "string"},
            "headline": {"type": "string"}, "source": {"type": "string"},
            "url": {"type": "string"}, "firstcreated": {"type": "string", "format": "date-time"}
        }
    });
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "wirefold gateway",
            "version": "1",
            "description": "Read-only API over wirefold's stories (coverage of one news event), copy clusters (copies of one text) and article records, with a resumable live event stream."
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}},
                "Moved": {"type": "object", "required": ["error", "merged_into"], "properties": {"error": {"type": "string"}, "merged_into": {"type": "string"}}},
                "ArticleRef": article_ref,
                "StorySummary": {
                    "type": "object",
                    "required": ["id", "version", "first_seen", "updated", "languages", "sources", "cluster_count", "article_count"],
                    "properties": {
                        "id": {"type": "string"}, "version": {"type": "integer", "minimum": 1},
                        "headline": {"type": ["string", "null"]},
                        "slugline": {"type": "string", "description": "When no copy cluster states a headline: the agency's slugline that names the story instead"},
                        "lede": {"type": "string", "description": "When no copy cluster states a headline and no canonical article a slugline: the opening words of the first listed one's text"},
                        "first_seen": {"type": "string"}, "updated": {"type": "string"},
                        "languages": {"type": "array", "items": {"type": "string"}},
                        "sources": {"type": "array", "items": {"type": "string"}},
                        "cluster_count": {"type": "integer", "minimum": 0},
                        "article_count": {"type": "integer", "minimum": 0},
                        "embargoed": {"type": "string", "description": "The latest embargo of its articles (RFC 3339), when one has one: not to be published before it"},
                        "withdrawn": {"type": "integer", "minimum": 1, "description": "Copies withdrawn from the story (agency kills), when any were"}
                    }
                },
                "History": {
                    "type": "object", "required": ["version", "kind", "cause", "position"],
                    "properties": {
                        "version": {"type": "integer"}, "kind": {"type": "string"},
                        "cause": {"type": "string"}, "headline": {"type": "string"},
                        "source": {"type": "string"}, "firstcreated": {"type": "string"},
                        "reason": {"type": "string"}, "position": {"type": "string"}
                    }
                },
                "Member": {
                    "allOf": [{"$ref": "#/components/schemas/ArticleRef"}, {
                        "type": "object", "required": ["pubstatus", "similarity"],
                        "properties": {
                            "version": {"type": "integer"},
                            "slugline": {"type": "string", "description": "The article's slugline, when it states no headline"},
                            "lede": {"type": "string", "description": "The opening words of the article's text, when it states neither headline nor slugline"},
                            "embargoed": {"type": "string", "description": "The time before which the article must not be published (RFC 3339), when the agency set one"},
                            "versioncreated": {"type": "string", "description": "When the article's current version was published (RFC 3339), when that is later than its first publication: the copy was updated or corrected since"},
                            "pubstatus": {"type": "string", "enum": ["usable", "withheld", "canceled"]},
                            "similarity": {"type": "number"}
                        }
                    }]
                },
                "Cluster": {
                    "type": "object", "required": ["id", "version", "members", "member_count", "history"],
                    "properties": {
                        "id": {"type": "string"}, "version": {"type": "integer"},
                        "story_id": {"type": ["string", "null"]},
                        "canonical": {"oneOf": [{"$ref": "#/components/schemas/ArticleRef"}, {"type": "null"}]},
                        "members": {"type": "array", "items": {"$ref": "#/components/schemas/Member"}},
                        "member_count": {"type": "integer"},
                        "history": {"type": "array", "items": {"$ref": "#/components/schemas/History"}}
                    }
                },
                "Story": {
                    "allOf": [{"$ref": "#/components/schemas/StorySummary"}, {
                        "type": "object", "required": ["clusters", "history"],
                        "properties": {
                            "clusters": {"type": "array", "items": {"$ref": "#/components/schemas/Cluster"}},
                            "history": {"type": "array", "items": {"$ref": "#/components/schemas/History"}}
                        }
                    }]
                }
            }
        },
        "security": [{}, {"bearer": []}],
        "paths": {
            "/v1/stories": {"get": {
                "operationId": "listStories",
                "summary": "Stories, most recently changed first",
                "parameters": [
                    string_param("q", "query", "Words that must all appear in the story's headlines or article bodies"),
                    string_param("lang", "query", "Language of one of its copy clusters (a language alone takes its regions)"),
                    string_param("source", "query", "Whole words of the source of one of its articles, in any case; a known agency's other spellings too (associated press: AP)"),
                    time_param("since", "Updated at or after (RFC 3339 date-time or YYYY-MM-DD)"),
                    time_param("until", "Updated at or before (RFC 3339 date-time or YYYY-MM-DD)"),
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": crate::MAX_LIMIT}},
                    pattern_param("cursor", "query", "Opaque cursor from next_cursor (empty: the first page)", "^[0-9]{0,19}$")
                ],
                "responses": with_errors(json!({"200": {"description": "A page of stories", "content": {"application/json": {"schema": {
                    "type": "object", "required": ["stories", "next_cursor"],
                    "properties": {
                        "stories": {"type": "array", "items": {"$ref": "#/components/schemas/StorySummary"}},
                        "next_cursor": {"type": ["string", "null"]}
                    }}}},
                    "links": {"GetStory": {"operationId": "getStory", "parameters": {"id": "$response.body#/stories/0/id"}}}}}), &[])
            }},
            "/v1/stories/{id}": {"get": {
                "operationId": "getStory",
                "summary": "One story with its copy clusters, their members and its history",
                "parameters": [string_param("id", "path", "Story id")],
                "responses": moved(with_errors(json!({"200": {"description": "The story", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Story"}}},
                    "links": {"GetCluster": {"operationId": "getCluster", "parameters": {"id": "$response.body#/clusters/0/id"}}}}}), &[("404", "No such story")]), "story")
            }},
            "/v1/clusters/{id}": {"get": {
                "operationId": "getCluster",
                "summary": "One copy cluster with its members and history",
                "parameters": [string_param("id", "path", "Copy cluster id")],
                "responses": moved(with_errors(json!({"200": {"description": "The cluster", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Cluster"}}},
                    "links": {"GetArticle": {"operationId": "getArticle", "parameters": {"id": "$response.body#/members/0/id"}}}}}), &[("404", "No such cluster")]), "cluster")
            }},
            "/v1/articles/{id}": {"get": {
                "operationId": "getArticle",
                "summary": "An article record (ninjs field names, body_text)",
                "parameters": [string_param("id", "path", "Article id")],
                "responses": with_errors(json!({"200": {"description": "The article record", "content": {"application/json": {"schema": {
                    "type": "object", "required": ["id", "uri", "body_text"],
                    "properties": {"id": {"type": "string"}, "uri": {"type": "string"}, "headline": {"type": "string"}, "body_text": {"type": "string"}}
                }}}}}), &[("404", "No such article"), ("503", "Article stream unavailable")])
            }},
            "/v1/events": {"get": {
                "operationId": "events",
                "summary": "Server-Sent Events: story and cluster events as they happen",
                "description": "Each event's id is a position (\"<clusters>-<stories>\"); reconnect with Last-Event-ID or ?after= to get exactly the events after it. A position no longer retained, or a client that falls behind, gets `event: reset`. Event names: `story.<kind>`, `cluster.<kind>`.",
                "parameters": [
                    pattern_param("after", "query", "Position to resume after (\"0\" for the start)", POSITION),
                    string_param("kinds", "query", "Comma-separated: story, cluster, or names like story.created"),
                    string_param("story", "query", "Only events of this story"),
                    {"name": "linger", "in": "query", "description": "End the stream after this many seconds without an event (reconnect with Last-Event-ID)", "schema": {"type": "integer", "minimum": 1, "maximum": 3600}},
                    pattern_param("Last-Event-ID", "header", "Position to resume after (wins over after)", POSITION)
                ],
                "responses": with_errors(json!({"200": {"description": "An event stream; the schema describes each event (as before Open API 3.2's itemSchema)", "content": {"text/event-stream": {"schema": {
                    "type": "object", "required": ["event", "data"],
                    "properties": {
                        "id": {"type": "string", "pattern": "^[0-9]{1,20}-[0-9]{1,20}$"},
                        "event": {"type": "string", "pattern": "^(reset|story\\.[a-z_]+|cluster\\.[a-z_]+)$"},
                        "data": {"type": "string", "description": "The stored event's JSON (a StoryEvent or a ClusterEvent); for reset, {\"reason\": ...}"},
                        "retry": {"type": "integer", "minimum": 0}
                    }}}}}}), &[("503", "Too many live streams")])
            }},
            "/v1/dead-letters": {"get": {
                "operationId": "deadLetters",
                "summary": "Recent dead letters, newest first (for operators)",
                "parameters": [
                    string_param("stage", "query", "fetcher, normalizer or dedup"),
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": crate::MAX_LIMIT}}
                ],
                "responses": with_errors(json!({"200": {"description": "Dead letters", "content": {"application/json": {"schema": {
                    "type": "object", "required": ["dead_letters"],
                    "properties": {"dead_letters": {"type": "array", "items": {"type": "object"}}}
                }}}}}), &[("503", "Dead-letter stream unavailable")])
            }},
            "/v1/openapi.json": {"get": {
                "operationId": "openapi",
                "summary": "This document",
                "responses": {"200": {"description": "OpenAPI document", "content": {"application/json": {"schema": {"type": "object"}}}}}
            }}
        }
    })
}
