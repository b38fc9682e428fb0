// SPDX-License-Identifier: LGPL-2.0-or-later

package format

import (
	"errors"
	"fmt"
)

// FormatError reports bytes that do not follow the tree or journal layout.
// Offset is the file offset of the field that was found wrong.
type FormatError struct {
	Offset int64
	Msg    string
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("%s at offset %d", e.Msg, e.Offset)
}

func formatErr(off int64, format string, args ...any) error {
	return &FormatError{Offset: off, Msg: fmt.Sprintf(format, args...)}
}

// IsFormatError reports whether err (or an error it wraps) is a *FormatError.
func IsFormatError(err error) bool {
	var fe *FormatError
	return errors.As(err, &fe)
}
