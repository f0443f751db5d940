/** The policy stage: what an app declares, read from its policy, SDK tables and double list. */
export {
  Declarations,
  DataTypeDeclaration,
  SdkDeclaration,
  RecipientDeclaration,
  Negation,
  DECLARATIONS_VERSION,
  emptyDeclarations,
  mergeDeclarations,
  declaredDataTypes,
  type Evidence,
} from './declarations.js';
export { loadLexicon, compileLexicon, resolveDataTerm, type Lexicon } from './lexicon.js';
export { doubleListSchema, type DoubleList } from './double-list.js';
export { shortName } from './sdk-names.js';
export {
  policyReaders,
  readPolicyFile,
  readPolicyFiles,
  declarationsFromText,
  declarationsFromHtml,
  detectFormat,
  type PolicyReaders,
} from './load.js';
export { declarationsFromSummary, DeclaredSummary } from './summary.js';
export { readProse, negatedRanges, type ExplainEntry, type ProseOptions } from './read-prose.js';
export { splitSentences, normaliseForMatching, type Sentence } from './sentences.js';
