package pushsim

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// Credential is an AccessKey the simulator knows, the way the gateway sees
// it: the pair, the main account that owns it (quotas are counted per main
// account: PageQuotas, "ParentUid"), and for an STS key its token.
type Credential struct {
	AccessKeyID, AccessKeySecret string
	// Account is the owner main account ID; "" means DefaultAccount.
	// Several AccessKeys (RAM users) of one account share its quotas.
	Account string
	// SecurityToken makes this an STS AccessKey: every request signed with
	// it must carry this token (PageCommonErrors: MissingSecurityToken,
	// InvalidSecurityToken.*).
	SecurityToken string
	// Expires is when the SecurityToken expires (server clock); zero means
	// never.
	Expires time.Time
	// Disabled answers every request 400 InvalidAccessKeyId.Inactive
	// (PageCommonErrors).
	Disabled bool
	// DenyActions are the actions a RAM policy denies this AccessKey:
	// answered 403 DenyCode.
	DenyActions []string
	// DenyCode is CodeForbiddenRAM (the default; PageClientErrors) or
	// CodeForbidden (PageErrors).
	DenyCode string
	// DenyAppKeys are the AppKeys this AccessKey may not use: answered 400
	// PermissionDenied (PagePushV2).
	DenyAppKeys []int64
}

// String describes c for logs without its secret or token.
func (c Credential) String() string {
	kind := "AccessKey"
	if c.SecurityToken != "" {
		kind = "STS AccessKey"
	}
	return fmt.Sprintf("%s %s of account %s", kind, c.AccessKeyID, orString(c.Account, DefaultAccount))
}

func (c Credential) validate() error {
	switch {
	case c.AccessKeyID == "":
		return errors.New("AccessKeyID is empty")
	case c.AccessKeySecret == "":
		return errors.New("AccessKeySecret is empty")
	case c.DenyCode != "" && c.DenyCode != CodeForbiddenRAM && c.DenyCode != CodeForbidden:
		return errors.New("DenyCode must be Forbidden.RAM or Forbidden")
	case c.SecurityToken == "" && !c.Expires.IsZero():
		return errors.New("Expires is set without a SecurityToken")
	}
	return nil
}

// withDefaults fills the zero Account and DenyCode of c.
func (c Credential) withDefaults() Credential {
	c.Account = orString(c.Account, DefaultAccount)
	c.DenyCode = orString(c.DenyCode, CodeForbiddenRAM)
	c.DenyActions = slices.Clone(c.DenyActions)
	c.DenyAppKeys = slices.Clone(c.DenyAppKeys)
	return c
}

// denies reports whether c may not call action.
func (c *Credential) denies(action string) bool {
	return slices.Contains(c.DenyActions, action)
}

// deniesAppKey reports whether c may not use appKey.
func (c *Credential) deniesAppKey(appKey int64) bool {
	return slices.Contains(c.DenyAppKeys, appKey)
}

// AddCredential adds c, or replaces the credential with its AccessKeyID:
// tests rotate a key, renew or expire an STS token, or change a deny list
// while a job runs. It returns an error when c is not valid.
func (s *Server) AddCredential(c Credential) error {
	if err := c.validate(); err != nil {
		return err
	}
	c = c.withDefaults()
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.creds {
		if s.creds[i].AccessKeyID == c.AccessKeyID {
			s.creds[i] = c
			return nil
		}
	}
	s.creds = append(s.creds, c)
	return nil
}

// RemoveCredential forgets the AccessKey id; requests signed with it are
// then answered InvalidAccessKeyId.NotFound. It reports whether it knew id.
func (s *Server) RemoveCredential(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.creds)
	s.creds = slices.DeleteFunc(s.creds, func(c Credential) bool { return c.AccessKeyID == id })
	return len(s.creds) < n
}

// Credentials returns a copy of the credentials the simulator knows.
func (s *Server) Credentials() []Credential {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Credential, len(s.creds))
	for i, c := range s.creds {
		out[i] = c.withDefaults() // clones the lists
	}
	return out
}

// credential returns the credential of id; s.mu must be held.
func (s *Server) credential(id string) (Credential, bool) {
	for _, c := range s.creds {
		if c.AccessKeyID == id {
			return c, true
		}
	}
	return Credential{}, false
}

// tokenOwner returns the AccessKey ID whose SecurityToken is token, or "";
// s.mu must be held.
func (s *Server) tokenOwner(token string) string {
	for _, c := range s.creds {
		if c.SecurityToken != "" && c.SecurityToken == token {
			return c.AccessKeyID
		}
	}
	return ""
}
