package push

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
)

// MaxJobKeyLen is the longest JobKey. The Push API takes a JobKey of
// letters, digits, '_' and '-' only, at most 32 characters (help.aliyun.com
// document 2249916, JobKey).
const MaxJobKeyLen = 32

var jobKeyPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)

// ValidJobKey reports whether k is a JobKey the Push API takes.
func ValidJobKey(k string) bool { return jobKeyPattern.MatchString(k) }

// jobKeyPrefix and jobKeyHash are the lengths of the two parts of a mapped
// JobKey: prefix, '-', hash.
const (
	jobKeyPrefix = MaxJobKeyLen - 1 - jobKeyHash
	jobKeyHash   = 10
)

// JobKeyFor maps a job ID to a valid JobKey, deterministically, so the
// service's receipt logs trace back to the job. An ID that is a valid
// JobKey is its own. Any other (longer than 32 characters, or with '.'
// as job IDs may have) becomes its first 21 characters with every
// character a JobKey cannot hold replaced by '_', then '-' and the first
// 10 hex digits of the SHA-256 of the whole ID: at most 32 characters,
// readable in the logs, and distinct for distinct IDs but for a chance of
// 2^-40. A cpush-made UUID job ID 0b6f1d2e-8c3a-4b5e-9d4e-5c2f9a7b3e1d so
// becomes 0b6f1d2e-8c3a-4b5e-9d-4f863c9f8d. The empty ID maps to "".
func JobKeyFor(id string) string {
	if id == "" || ValidJobKey(id) {
		return id
	}
	sum := sha256.Sum256([]byte(id))
	prefix := make([]byte, 0, jobKeyPrefix)
	for i := 0; i < len(id) && len(prefix) < jobKeyPrefix; i++ {
		c := id[i]
		if !isJobKeyByte(c) {
			c = '_'
		}
		prefix = append(prefix, c)
	}
	return string(prefix) + "-" + hex.EncodeToString(sum[:])[:jobKeyHash]
}

func isJobKeyByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}
