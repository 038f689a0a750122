/// One branch of `cond`: `{"when": expr, "then": [...], "else": [...]}` or `{"else": [...]}`.
package struct SWMLCondition: Sendable, Equatable, Codable {
    /// A JavaScript expression such as `vars.connect_result != 'connected'`; nil for a final `else`.
    package var when: String?
    package var then: [SWMLMethod]?
    package var `else`: [SWMLMethod]?

    package init(when: String, then: [SWMLMethod], else elseMethods: [SWMLMethod]? = nil) {
        self.init(when: when, then: then, elseMethods: elseMethods)
    }

    private init(when: String?, then: [SWMLMethod]?, elseMethods: [SWMLMethod]?) {
        self.when = when
        self.then = then
        self.else = elseMethods
    }

    /// The branch taken when no earlier `when` was true.
    package static func otherwise(_ methods: [SWMLMethod]) -> SWMLCondition {
        SWMLCondition(when: nil, then: nil, elseMethods: methods)
    }

    private enum CodingKeys: String, CodingKey { case when, then, `else` }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(when, forKey: .when)
        try c.encodeIfPresent(then, forKey: .then)
        try c.encodeIfPresent(self.else, forKey: .else)
    }
}

/// `switch`: runs the methods of the case equal to `variable`'s value, else `default`.
package struct SWMLSwitch: Sendable, Equatable, Codable {
    package var variable: String
    package var cases: [String: [SWMLMethod]]
    package var `default`: [SWMLMethod]?

    package init(variable: String, cases: [String: [SWMLMethod]], default defaultMethods: [SWMLMethod]? = nil) {
        self.variable = variable
        self.cases = cases
        self.default = defaultMethods
    }

    private enum CodingKeys: String, CodingKey {
        case variable
        case cases = "case"
        case `default`
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(variable, forKey: .variable)
        var cs = c.nestedContainer(keyedBy: SWMLKey.self, forKey: .cases)
        try cs.encodeSorted(cases)
        try c.encodeIfPresent(self.default, forKey: .default)
    }
}
