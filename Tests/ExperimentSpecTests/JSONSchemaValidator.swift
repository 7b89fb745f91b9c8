import Foundation

/// A validator for the subset of JSON Schema 2020-12 that `Schemas/experiment.schema.json` uses:
/// `type`, `properties`, `additionalProperties: false`, `required`, `enum`, `minimum`, `maximum`,
/// `exclusiveMinimum`, `exclusiveMaximum`, `items`, `minItems`, `minProperties`, `maxProperties`,
/// `anyOf`, `pattern` and local `$ref`. Any other keyword is reported, so the schema cannot silently outgrow it.
struct JSONSchemaValidator {
    let root: [String: Any]
    static let understood: Set<String> = [
        "$schema", "$id", "$defs", "$ref", "title", "description", "type", "properties", "additionalProperties",
        "required", "enum", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "items", "minItems", "maxItems",
        "minProperties", "maxProperties", "anyOf", "pattern",
    ]

    /// Problems with `value` against the root schema, as `path: message`.
    func validate(_ value: Any) -> [String] { validate(value, root, path: "$") }

    private func resolve(_ schema: [String: Any]) -> [String: Any] {
        guard let ref = schema["$ref"] as? String, ref.hasPrefix("#/") else { return schema }
        var node: Any = root
        for part in ref.dropFirst(2).split(separator: "/") { node = (node as? [String: Any])?[String(part)] ?? [:] }
        return node as? [String: Any] ?? [:]
    }

    private func validate(_ value: Any, _ schemaIn: [String: Any], path: String) -> [String] {
        let schema = resolve(schemaIn)
        var errors: [String] = []
        for key in schema.keys where !Self.understood.contains(key) { errors.append("\(path): schema keyword '\(key)' not understood") }
        if let anyOf = schema["anyOf"] as? [[String: Any]] {
            if !anyOf.contains(where: { validate(value, $0, path: path).isEmpty }) {
                errors.append("\(path): matches none of the allowed forms")
            }
        }
        if let type = schema["type"] as? String, !Self.matches(value, type) {
            return errors + ["\(path): expected \(type), found \(Swift.type(of: value))"]
        }
        if let allowed = schema["enum"] as? [String], !(value is String && allowed.contains(value as! String)) {
            errors.append("\(path): '\(value)' is not one of \(allowed)")
        }
        if let pattern = schema["pattern"] as? String, let text = value as? String {
            let matched = (try? NSRegularExpression(pattern: pattern))?
                .firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
            if !matched { errors.append("\(path): '\(text)' does not match \(pattern)") }
        }
        if let n = Self.number(value) {
            if let m = schema["minimum"] as? Double, n < m { errors.append("\(path): \(n) < minimum \(m)") }
            if let m = schema["maximum"] as? Double, n > m { errors.append("\(path): \(n) > maximum \(m)") }
            if let m = schema["exclusiveMinimum"] as? Double, n <= m { errors.append("\(path): \(n) ≤ exclusive minimum \(m)") }
            if let m = schema["exclusiveMaximum"] as? Double, n >= m { errors.append("\(path): \(n) ≥ exclusive maximum \(m)") }
        }
        if let array = value as? [Any] {
            if let m = schema["minItems"] as? Int, array.count < m { errors.append("\(path): fewer than \(m) items") }
            if let m = schema["maxItems"] as? Int, array.count > m { errors.append("\(path): more than \(m) items") }
            if let items = schema["items"] as? [String: Any] {
                for (i, item) in array.enumerated() { errors += validate(item, items, path: "\(path)[\(i)]") }
            }
        }
        if let object = value as? [String: Any] {
            let properties = schema["properties"] as? [String: Any] ?? [:]
            if let m = schema["minProperties"] as? Int, object.count < m { errors.append("\(path): fewer than \(m) keys") }
            if let m = schema["maxProperties"] as? Int, object.count > m { errors.append("\(path): more than \(m) keys") }
            for key in schema["required"] as? [String] ?? [] where object[key] == nil { errors.append("\(path): missing '\(key)'") }
            for (key, v) in object {
                if let sub = properties[key] as? [String: Any] {
                    errors += validate(v, sub, path: "\(path).\(key)")
                } else if (schema["additionalProperties"] as? Bool) == false {
                    errors.append("\(path): unknown key '\(key)'")
                }
            }
        }
        return errors
    }

    static func number(_ v: Any) -> Double? {
        if v is Bool { return nil }
        if let i = v as? Int { return Double(i) }
        return v as? Double
    }

    static func matches(_ v: Any, _ type: String) -> Bool {
        switch type {
        case "object": return v is [String: Any]
        case "array": return v is [Any]
        case "string": return v is String
        case "boolean": return v is Bool
        case "integer": return !(v is Bool) && (v is Int || (v as? Double).map { $0 == $0.rounded() } == true)
        case "number": return number(v) != nil
        case "null": return v is NSNull
        default: return false
        }
    }
}
