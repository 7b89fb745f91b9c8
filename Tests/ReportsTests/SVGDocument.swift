import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A parsed XML element: enough DOM to walk an SVG in tests.
final class XMLNode {
    let name: String
    let attributes: [String: String]
    var children: [XMLNode] = []
    var text = ""
    weak var parent: XMLNode?

    init(name: String, attributes: [String: String]) {
        self.name = name
        self.attributes = attributes
    }

    subscript(_ attribute: String) -> String? { attributes[attribute] }

    /// This node and all its descendants, depth first.
    var descendants: [XMLNode] { [self] + children.flatMap(\.descendants) }

    func all(_ name: String) -> [XMLNode] { descendants.filter { $0.name == name } }

    func all(class className: String) -> [XMLNode] {
        descendants.filter { ($0["class"] ?? "").split(separator: " ").contains(Substring(className)) }
    }

    /// The nearest ancestor with the given class.
    func ancestor(class className: String) -> XMLNode? {
        var node = parent
        while let n = node {
            if (n["class"] ?? "").split(separator: " ").contains(Substring(className)) { return n }
            node = n.parent
        }
        return nil
    }

    /// Concatenated text of this node and its descendants.
    var allText: String { text + children.map(\.allText).joined() }
}

enum XMLParseError: Error, CustomStringConvertible {
    case malformed(line: Int, column: Int, message: String)

    var description: String {
        switch self {
        case .malformed(let line, let column, let message): "malformed XML at \(line):\(column): \(message)"
        }
    }
}

/// Parses XML with Foundation's `XMLParser`; throws with the parser's position when malformed.
enum XMLDocument {
    static func parse(_ text: String) throws -> XMLNode {
        let parser = XMLParser(data: Data(text.utf8))
        let builder = Builder()
        parser.delegate = builder
        guard parser.parse(), let root = builder.root else {
            throw XMLParseError.malformed(line: parser.lineNumber, column: parser.columnNumber,
                                          message: parser.parserError.map { "\($0)" } ?? "no root element")
        }
        return root
    }

    private final class Builder: NSObject, XMLParserDelegate {
        var root: XMLNode?
        var stack: [XMLNode] = []

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
            let node = XMLNode(name: elementName, attributes: attributeDict)
            node.parent = stack.last
            stack.last?.children.append(node)
            if root == nil { root = node }
            stack.append(node)
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
            stack.removeLast()
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            stack.last?.text += string
        }
    }
}
