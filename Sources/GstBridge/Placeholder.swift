import CGst
import Media
func _probe() { _ = cgst_init() }
