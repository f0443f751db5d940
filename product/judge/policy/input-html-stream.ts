import { Tokenizer, type TokenizerCallbacks } from 'htmlparser2';

/** A table as rows of cell texts (whitespace collapsed), in document order. */
export type TableRows = string[][];

export interface HtmlStreamOptions {
  /**
   * Called when a table ends, with its rows. Return true when the table was read as data (an SDK
   * table, a collection list): its text then stays out of the prose.
   */
  onTable?: (rows: TableRows) => boolean;
}

/**
 * The readable text of an HTML page, one line per block element, read in one pass over the
 * tokens without building a tree. A policy page comes from anywhere: a tree (and any recursive
 * walk of it) costs memory and stack in proportion to what the page contains, and tree builders
 * that keep their open-element stack in an array they shift (htmlparser2's Parser) or search
 * (parse5's scope checks) take quadratic time on 200,000 nested <div>s. Here each tag costs O(1):
 * prose needs no nesting at all (a block boundary is a line break, open or close), and only
 * tables keep a stack, capped at MAX_TABLE_NESTING real tables.
 */
export function readHtmlStream(html: string, options: HtmlStreamOptions = {}): string {
  const reader = new StreamReader(html, options);
  const tokenizer = new Tokenizer({ decodeEntities: true }, reader);
  tokenizer.write(html);
  tokenizer.end();
  return reader.result();
}

/** Elements whose start and end break a line: paragraphs, list items, headings, rows, sections. */
const BLOCKS = new Set([
  'address', 'article', 'aside', 'blockquote', 'body', 'caption', 'dd', 'details', 'dialog', 'div', 'dl', 'dt',
  'fieldset', 'figcaption', 'figure', 'footer', 'form', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hr',
  'legend', 'li', 'main', 'nav', 'ol', 'p', 'pre', 'section', 'summary', 'table', 'tbody', 'tfoot', 'thead',
  'tr', 'ul',
]);
/** Elements whose text no reader sees: scripts, styles, fallbacks, templates, the window title. */
const HIDDEN = new Set(['script', 'style', 'noscript', 'template', 'title', 'noembed', 'noframes', 'iframe', 'xmp']);
/** Real SDK tables are at most a few levels deep; deeper ones are read as cells of the outer one. */
const MAX_TABLE_NESTING = 8;

interface OpenTable {
  rows: TableRows;
  row: string[] | undefined;
  cell: string[] | undefined;
  /** The table's text as prose, kept until we know whether the table was data. */
  prose: string[];
}

class StreamReader implements TokenizerCallbacks {
  private readonly prose: string[] = [];
  private readonly tables: OpenTable[] = [];
  /** Tables beyond MAX_TABLE_NESTING: counted only, so their end tags match. */
  private ignoredTables = 0;
  private hidden = 0;
  private tagName = '';

  constructor(
    private readonly html: string,
    private readonly options: HtmlStreamOptions,
  ) {}

  result(): string {
    while (this.tables.length) this.closeTable();
    return this.prose.join('');
  }

  // --- text -------------------------------------------------------------------------------------
  ontext(start: number, end: number): void {
    this.emit(this.html.slice(start, end));
  }

  ontextentity(codepoint: number): void {
    this.emit(String.fromCodePoint(codepoint));
  }

  oncdata(start: number, end: number): void {
    this.emit(this.html.slice(start, end));
  }

  private emit(text: string): void {
    if (this.hidden > 0) return;
    this.write(text);
  }

  private write(text: string): void {
    const table = this.tables[this.tables.length - 1];
    if (!table) {
      this.prose.push(text);
      return;
    }
    table.prose.push(text);
    table.cell?.push(text);
  }

  // --- tags -------------------------------------------------------------------------------------
  onopentagname(start: number, end: number): void {
    this.tagName = this.html.slice(start, end).toLowerCase();
  }

  onopentagend(): void {
    this.open(this.tagName);
  }

  onselfclosingtag(): void {
    // In HTML "<div/>" opens a div; only void elements (br, hr) are complete, and they never close.
    this.open(this.tagName);
  }

  onclosetag(start: number, end: number): void {
    this.close(this.html.slice(start, end).toLowerCase());
  }

  private open(name: string): void {
    if (HIDDEN.has(name)) {
      this.hidden++;
      return;
    }
    if (this.hidden > 0) return;
    if (name === 'br') return this.write('\n');
    if (name === 'table') return this.openTable();
    const table = this.tables[this.tables.length - 1];
    if (table && this.ignoredTables === 0) {
      if (name === 'tr') this.endRow(table);
      else if (name === 'td' || name === 'th') {
        this.endCell(table);
        table.row ??= [];
        table.cell = [];
      }
    }
    if (BLOCKS.has(name)) this.write('\n');
  }

  private close(name: string): void {
    if (HIDDEN.has(name)) {
      if (this.hidden > 0) this.hidden--;
      return;
    }
    if (this.hidden > 0) return;
    if (name === 'br') return this.write('\n');
    if (name === 'table') {
      if (this.ignoredTables > 0) {
        this.ignoredTables--;
        this.write('\n');
      } else if (this.tables.length) this.closeTable();
      return;
    }
    const table = this.tables[this.tables.length - 1];
    if (table && this.ignoredTables === 0) {
      if (name === 'tr') this.endRow(table);
      else if (name === 'td' || name === 'th') this.endCell(table);
    } else if (name === 'td' || name === 'th') this.write('\t');
    if (BLOCKS.has(name)) this.write('\n');
  }

  // --- tables -----------------------------------------------------------------------------------
  private openTable(): void {
    this.write('\n');
    if (this.tables.length >= MAX_TABLE_NESTING) {
      this.ignoredTables++;
      return;
    }
    this.tables.push({ rows: [], row: undefined, cell: undefined, prose: [] });
  }

  private endCell(table: OpenTable): void {
    if (!table.cell) return;
    const text = table.cell.join('').replace(/\s+/gu, ' ').trim();
    table.cell = undefined;
    (table.row ??= []).push(text);
    this.write('\t');
  }

  private endRow(table: OpenTable): void {
    this.endCell(table);
    if (table.row) table.rows.push(table.row);
    table.row = undefined;
  }

  private closeTable(): void {
    const table = this.tables[this.tables.length - 1]!;
    this.endRow(table);
    this.tables.pop();
    const consumed = this.options.onTable?.(table.rows) ?? false;
    // A table that is no SDK or collection table is prose (a layout table); nested in a cell, its
    // text belongs to that cell too, as a browser would show it.
    if (!consumed) this.write(table.prose.join(''));
    this.write('\n');
  }

  // --- ignored tokens ---------------------------------------------------------------------------
  onattribdata(): void {}
  onattribentity(): void {}
  onattribend(): void {}
  onattribname(): void {}
  oncomment(): void {}
  ondeclaration(): void {}
  onprocessinginstruction(): void {}
  onend(): void {}
}
