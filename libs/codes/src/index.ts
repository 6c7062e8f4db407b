export {
  CODE_TABLE_NAMES,
  SOURCE_SYSTEMS,
  codeTable,
  codeTables,
  isCode,
  isCodeTableName,
  label,
  mapSourceCode,
} from './code-tables';
export type { CodeEntry, CodeTable, CodeTableName, Lang, SourceCodeMapping, SourceSystem } from './code-tables';
export { sourceCodeFields, sourceCodesOf, unmappedSourceCodes } from './source-codes';
export type { SourceCodeField, SourceCodeFields, SourceCodeOccurrence, UnmappedSourceCode } from './source-codes';
