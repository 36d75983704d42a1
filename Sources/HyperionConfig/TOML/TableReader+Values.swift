import TOMLKit

/// Typed accessors. Each returns nil when the key is absent and throws `wrongType` when it
/// is present with another TOML type.
extension TableReader {
    func string(_ key: String) throws -> String? {
        guard let value = value(key) else { return nil }
        guard value.type == .string, let string = value.string else {
            throw wrongType(name(key), expected: "a string", got: value)
        }
        return string
    }

    func bool(_ key: String) throws -> Bool? {
        guard let value = value(key) else { return nil }
        guard value.type == .bool, let bool = value.bool else {
            throw wrongType(name(key), expected: "true or false", got: value)
        }
        return bool
    }

    func integer(_ key: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let value = value(key) else { return nil }
        return try checkedInteger(value, what: name(key), in: range)
    }

    func port(_ key: String) throws -> UInt16? {
        try integer(key, in: 1...65535).map { UInt16($0) }
    }

    func checkedInteger(_ value: TOMLValue, what: String, in range: ClosedRange<Int>) throws -> Int {
        guard value.type == .int, let integer = value.int else {
            throw wrongType(what, expected: "an integer", got: value)
        }
        guard range.contains(integer) else {
            throw error(.invalidValue, "\(what) is \(integer); it must be from \(range.lowerBound) to \(range.upperBound)")
        }
        return integer
    }

    func table(_ key: String) throws -> TableReader? {
        guard let value = value(key) else { return nil }
        guard value.type == .table, let table = value.table else {
            throw wrongType(name(key), expected: "a table, written [\(key)]", got: value)
        }
        return TableReader(table, file: file, place: "[\(key)]")
    }

    /// The elements of an array, each checked to be a string.
    func stringArray(_ key: String) throws -> [String]? {
        guard let array = try array(key) else { return nil }
        return try array.enumerated().map { index, element in
            guard element.type == .string, let string = element.string else {
                throw wrongType(name("\(key)[\(index)]"), expected: "a string", got: element)
            }
            return string
        }
    }

    /// The elements of an array, each checked to be an integer in `range`.
    func integerArray(_ key: String, in range: ClosedRange<Int>) throws -> [Int]? {
        guard let array = try array(key) else { return nil }
        return try array.enumerated().map { index, element in
            try checkedInteger(element, what: name("\(key)[\(index)]"), in: range)
        }
    }

    /// An array of tables (`[[server]]`). `place` names element `number` (from 1) in
    /// messages, given the element's table.
    func tableArray(_ key: String, place: (_ number: Int, TOMLTable) -> String) throws -> [TableReader]? {
        guard let value = value(key) else { return nil }
        guard value.type == .array, let array = value.array else {
            throw wrongType(name(key), expected: "an array of tables, written [[\(key)]]", got: value)
        }
        return try array.map(\.tomlValue).enumerated().map { index, element in
            guard element.type == .table, let table = element.table else {
                throw wrongType(name("\(key)[\(index)]"), expected: "a table", got: element)
            }
            return TableReader(table, file: file, place: place(index + 1, table))
        }
    }

    private func array(_ key: String) throws -> [TOMLValue]? {
        guard let value = value(key) else { return nil }
        guard value.type == .array, let array = value.array else {
            throw wrongType(name(key), expected: "an array", got: value)
        }
        return array.map(\.tomlValue)
    }
}

/// TOML type names for messages, with an article: "a string", "an integer".
enum TOMLTypeName {
    static func withArticle(_ type: TOMLType) -> String {
        switch type {
        case .string: "a string"
        case .int: "an integer"
        case .double: "a floating-point number"
        case .bool: "a boolean"
        case .table: "a table"
        case .array: "an array"
        case .date: "a date"
        case .time: "a time"
        case .dateTime: "a date-time"
        }
    }
}
