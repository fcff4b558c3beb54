import com.pixelmed.validate.DicomSRValidator;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * Validates the DICOM SR files named one per line on standard input with one PixelMed
 * DicomSRValidator (template checks, content item order, template identifiers), so that a test
 * run pays for the validator's start-up once. Each report ends with a line "@@END@@".
 * Used by tests/validators.py; run with the java source launcher (JDK 11 or later).
 */
public class PixelmedSrServer {
    public static void main(String[] args) throws Exception {
        DicomSRValidator validator = new DicomSRValidator();
        validator.setOptionCheckContentItemOrder(true);
        validator.setOptionCheckTemplateID(true);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String path;
        while ((path = in.readLine()) != null) {
            String report;
            try {
                report = validator.validate(path);
            } catch (Exception e) {
                report = "Error: " + e;
            }
            System.out.print(report);
            System.out.print("\n@@END@@\n");
            System.out.flush();
        }
    }
}
