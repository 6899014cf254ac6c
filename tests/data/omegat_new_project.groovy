// Create an OmegaT project as its New Project dialog does: default properties for the two languages
// (sentence segmentation on, the tokenizers OmegaT picks), the default folders, no filters.xml, no segmentation.conf.
// args: project directory, source language, target language.
import org.omegat.core.data.ProjectProperties
import org.omegat.filters2.master.PluginUtils
import org.omegat.util.Language
import org.omegat.util.ProjectFileStorage

PluginUtils.loadPlugins(new HashMap<String, String>())
def dir = new File(args[0])
def props = new ProjectProperties(dir)
props.setSourceLanguage(args[1])
props.setTargetLanguage(args[2])
props.setSourceTokenizer(PluginUtils.getTokenizerClassForLanguage(new Language(args[1])))
props.setTargetTokenizer(PluginUtils.getTokenizerClassForLanguage(new Language(args[2])))
[props.getSourceRoot(), props.getTargetRoot(), props.getTMRoot(), props.getTMAutoRoot(), props.getGlossaryRoot(),
 props.getDictRoot(), props.getProjectInternal()].each { new File(it).mkdirs() }
ProjectFileStorage.writeProjectFile(props)
