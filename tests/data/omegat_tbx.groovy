// Load a TBX glossary with OmegaT's own reader and print what it understood: entries, then one line per entry.
// OmegaT reads a TBX for the project's languages (args: file, source language, target language).
import org.omegat.core.Core
import org.omegat.core.data.ProjectProperties
import org.omegat.core.data.RealProject
import org.omegat.gui.glossary.GlossaryReaderTBX

def props = new ProjectProperties(File.createTempDir())
props.setSourceLanguage(args.length > 1 ? args[1] : "zh-CN")
props.setTargetLanguage(args.length > 2 ? args[2] : "en")
Core.setProject(new RealProject(props))
def entries = GlossaryReaderTBX.read(new File(args[0]), false)
println entries.size()
entries.each { println it.getSrcText() + "\t" + it.getLocText() + "\t" + it.getCommentText() }
