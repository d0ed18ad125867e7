package tokenizer

import "testing"

// Expected values come from ftfy 6.3.1's unescape_html rules evaluated with
// Python 3.11's html module.
func TestFTFYUnescapeHTML(t *testing.T) {
	for in, want := range map[string]string{
		"fish &amp; chips &lt;3": "fish & chips <3",
		"&EACUTE;":               "É", // all-caps form of a lower-case name
		"P&EACUTE;REZ":           "PÉREZ",
		"&SZLIG;":                "SS", // Python's full upper-casing
		"&FILIG;":                "FI",
		"&SEMI;":                 ";",
		"&AMP;":                  "&", // a real entity of its own
		"&Eacute;":               "É",
		"&not;":                  "¬",
		"&notit;":                "&notit;", // html.unescape would give "¬it;"
		"&NOTANENTITY;":          "&NOTANENTITY;",
		"&amp":                   "&amp", // no semicolon: kept
		"&#128;":                 "€",    // Windows-1252 reading of C1 references
		"&#x2019;":               "\u2019",
		"&#59;":                  "&#59;", // decodes to ";", which ftfy rejects
		"&#12ab;":                "&#12ab;",
		"&#1;":                   "", // invalid code points are dropped
		"&#xFDD0;":               "",
		"&#1114112;":             "\uFFFD",
		"&nGt;":                  "\u226B\u20D2", // missing from Go's html table
	} {
		if got := ftfyUnescapeHTML(in); got != want {
			t.Errorf("ftfyUnescapeHTML(%q) = %+q, want %+q", in, got, want)
		}
	}
}

func TestFTFYClean(t *testing.T) {
	for in, want := range map[string]string{
		"it\u2019s \u201cquoted\u201d":         "it's \"quoted\"",
		"\ufb01ne \u2460 \uff21\uff22\uff23":   "fine \u2460 abc", // ligature and width fixed, ① kept
		"\u4f60\u597d\uff0c\u4e16\u754c\uff01": "\u4f60\u597d,\u4e16\u754c!",
		"hello\u00a0world\u200bagain\u3000end": "hello world\u200bagain end", // ZWSP kept
		"fish &amp; chips":                     "fish & chips",
		"<b>&amp;</b>":                         "<b>&amp;</b>", // looks like HTML: not unescaped
		"a &amp;\n<b> &amp;\nc &amp;":          "a & <b> &amp; c &amp;",
		"\x1b[31mred\x1b[0m  text":             "red text",
		"\u0093C1\u0094 quotes":                "\"c1\" quotes", // C1 as Windows-1252, then uncurled
		"tab\tand\x07bell\x00nul":              "tab andbellnul",
		"cafe\u0301 \u00c5NGSTR\u00d6M":        "café ångström",
	} {
		if got := ftfyClean(in); got != want {
			t.Errorf("ftfyClean(%+q) = %+q, want %+q", in, got, want)
		}
	}
}
