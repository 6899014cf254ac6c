// Segment paragraphs with OmegaT's own Segmenter under the rules of an SRX 2.0 file.
// args: rules.srx, language code (zh-CN), a UTF-8 file of paragraphs (one per line).
// Prints, for each paragraph, its segments joined by a tab.
import org.omegat.core.segmentation.*
import org.omegat.util.Language

def xml = new XmlSlurper().parse(new File(args[0]))
def named = [:]
xml.body.languagerules.languagerule.each { lr ->
    named[lr.@languagerulename.toString()] = lr.rule.collect { r ->
        new Rule(r.@break.toString() != "no",
                 r.beforebreak.size() ? r.beforebreak.text() : null,
                 r.afterbreak.size() ? r.afterbreak.text() : null)
    }
}
def srx = new SRX()
srx.setMappingRules(xml.body.maprules.languagemap.collect { m ->
    new MapRule(m.@languagerulename.toString(), m.@languagepattern.toString(), named[m.@languagerulename.toString()])
})
// Its constructor loads OmegaT's default rules first, which fails noisily outside OmegaT's launcher: unused here.
def saved = System.err
System.setErr(new PrintStream(OutputStream.nullOutputStream()))
def segmenter = new Segmenter()
System.setErr(saved)
segmenter.setSRX(srx)
def language = new Language(args[1])
new File(args[2]).eachLine("UTF-8") { line ->
    println segmenter.segment(language, line, new ArrayList<StringBuilder>(), new ArrayList<Rule>()).join("\t")
}
