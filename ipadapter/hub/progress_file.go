package hub

// progressFor is the progress hook of one file's download: Options.Progress
// and Options.ProgressFile (told which file), whichever are set, or nil
// when neither is, so that a download without hooks pays nothing.
func (o Options) progressFor(file string) func(done, total int64) {
	byFile, plain := o.ProgressFile, o.Progress
	switch {
	case byFile == nil:
		return plain
	case plain == nil:
		return func(done, total int64) { byFile(file, done, total) }
	}
	return func(done, total int64) {
		plain(done, total)
		byFile(file, done, total)
	}
}
