// Run inside OmegaT (console mode, --script=this): once the project is loaded, ask OmegaT's own matcher
// for the matches of every segment, as its Fuzzy Matches pane would, and write one line per segment to
// $MATCHES_OUT: source, the best match's score, its source, its translation, its TMX file, its creator.
import org.omegat.core.Core
import org.omegat.core.events.IStopped
import org.omegat.core.statistics.FindMatches
import org.omegat.util.OConsts

if (eventType.toString() != "LOAD") return
def project = Core.getProject()
def matcher = new FindMatches(project.getSourceTokenizer(), OConsts.MAX_NEAR_STRINGS, true, false)
def never = { false } as IStopped
def clean = { s -> (s ?: "").replace("\t", " ").replace("\n", " ") }
new File(System.getenv("MATCHES_OUT")).withWriter("UTF-8") { out ->
    for (entry in project.getAllEntries()) {
        def src = entry.getSrcText()
        def found = matcher.search(project, src, true, true, never)
        // the exact match if there is one (several files may hold the source), else the best
        def best = found.find { it.source == src } ?: (found ? found[0] : null)
        def fields = best == null ? [src, "", "", "", "", ""] :
            [src, best.scores[0].score, best.source, best.translation, best.projs ? best.projs.join(",") : "", best.creator]
        out.println(fields.collect { clean(it.toString()) }.join("\t"))
    }
}
