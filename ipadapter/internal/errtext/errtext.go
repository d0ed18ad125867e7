// Package errtext formats the lists that error messages name (missing
// tensors, unknown keys), so long lists stay readable.
package errtext

import (
	"fmt"
	"strings"
)

// Abbreviate joins up to n items with commas and says how many more there
// are: "a, b, c and 4 more".
func Abbreviate(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:n], ", "), len(items)-n)
}

// AbbreviateList is Abbreviate in Go's list form: "[a b c] and 4 more".
func AbbreviateList(items []string, n int) string {
	if len(items) <= n {
		return fmt.Sprint(items)
	}
	return fmt.Sprintf("%v and %d more", items[:n], len(items)-n)
}
