// Load a glossary with OmegaT's own reader and print what it understood: entries, then one line per entry.
import org.omegat.gui.glossary.GlossaryReaderTSV

def entries = GlossaryReaderTSV.read(new File(args[0]), false)
println entries.size()
entries.each { println it.getSrcText() + "\t" + it.getLocText() + "\t" + it.getCommentText() }
