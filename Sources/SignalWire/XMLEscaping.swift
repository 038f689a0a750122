/// The one place XML text and attribute values are escaped.
enum XMLEscaping {
    /// Escapes `& < > " '`, writes tab, line feed and carriage return as character references (so
    /// they survive in attributes and are not normalised away in text), and drops every character
    /// XML 1.0 forbids or discourages: other C0 and C1 controls, DEL, U+FFFE and U+FFFF.
    static func escape(_ text: String) -> String {
        var out = ""
        out.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x26: out += "&amp;"
            case 0x3C: out += "&lt;"
            case 0x3E: out += "&gt;"
            case 0x22: out += "&quot;"
            case 0x27: out += "&apos;"
            case 0x09: out += "&#9;"
            case 0x0A: out += "&#10;"
            case 0x0D: out += "&#13;"
            case 0x00...0x1F, 0x7F...0x9F, 0xFFFE, 0xFFFF: continue
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
