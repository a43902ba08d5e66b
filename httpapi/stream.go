package httpapi

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"iter"

	"github.com/cpush/cpush/jobs"
)

// targetLines yields the targets of a streamed upload after its first
// line: one a line, spaces around it trimmed, blank lines skipped. A line
// longer than MaxLineBytes is refused, as is a target past max.
func targetLines(br *bufio.Reader, max int) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		n := 0
		for {
			line, err := br.ReadSlice('\n')
			if err == bufio.ErrBufferFull {
				yield("", tooLong(n))
				return
			}
			if err != nil && err != io.EOF {
				yield("", err)
				return
			}
			if v := bytes.TrimSpace(line); len(v) > 0 {
				if n == max {
					yield("", tooMany(max))
					return
				}
				n++
				if !yield(string(v), nil) {
					return
				}
			}
			if err == io.EOF {
				return
			}
		}
	}
}

func tooLong(i int) error {
	field := fmt.Sprintf("targets[%d]", i)
	return &jobs.FieldError{Field: field, Rule: fmt.Sprintf("its line is longer than %d bytes", MaxLineBytes)}
}

func tooMany(max int) error {
	return apiErr(CodeBodyTooLarge, "targets",
		"targets: more than %d in one upload; split the set into several jobs", max)
}
