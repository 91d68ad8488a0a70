import * as vscode from 'vscode';
import { Position, Range } from '../core/findings';

/** Core positions are zero-based like VS Code's: these only change the type. */
export const toRange = (r: Range) => new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
export const toPosition = (p: vscode.Position): Position => ({ line: p.line, character: p.character });
