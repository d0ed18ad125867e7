package scheduler

import "github.com/seed11f6bdef/gonb-ipadapter/internal/pyjson"

func pySanitize(b []byte) []byte { return pyjson.Sanitize(b) }
